package dev.skiff.apiserver.authz;

import dev.skiff.storage.Store;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' node authorizer: a kubelet ({@code system:node:<name>} in {@code system:nodes}) may
 * read a secret, configmap or persistent volume claim, or request a token for a service account,
 * only when a pod bound to its node refers to it; may use only its own node lease; and otherwise
 * has the rules of {@code system:node}. Relationships come from an in-memory view of every pod.
 */
public final class NodeAuthorizer implements AutoCloseable {
  static final String NODES_GROUP = "system:nodes";
  static final String NODE_PREFIX = "system:node:";
  static final String NO_RELATIONSHIP = "no relationship found between node '%s' and this object";

  private final StoreMirror<PodRefs> pods;
  private final List<PolicyRule> nodeRules = BootstrapPolicy.nodeRules();

  /** What a pod bound to a node refers to. */
  record PodRefs(
      String namespace,
      String nodeName,
      String serviceAccount,
      Set<String> secrets,
      Set<String> configMaps,
      Set<String> claims) {

    static PodRefs of(ObjectNode pod) {
      JsonNode spec = pod.path("spec");
      Set<String> secrets = new HashSet<>();
      Set<String> configMaps = new HashSet<>();
      Set<String> claims = new HashSet<>();
      for (JsonNode ref : spec.path("imagePullSecrets")) {
        secrets.add(ref.path("name").asString(""));
      }
      for (JsonNode volume : spec.path("volumes")) {
        secrets.add(volume.path("secret").path("secretName").asString(""));
        configMaps.add(volume.path("configMap").path("name").asString(""));
        claims.add(volume.path("persistentVolumeClaim").path("claimName").asString(""));
        for (JsonNode source : volume.path("projected").path("sources")) {
          secrets.add(source.path("secret").path("name").asString(""));
          configMaps.add(source.path("configMap").path("name").asString(""));
        }
      }
      for (String field : List.of("containers", "initContainers", "ephemeralContainers")) {
        for (JsonNode container : spec.path(field)) {
          for (JsonNode env : container.path("env")) {
            secrets.add(env.path("valueFrom").path("secretKeyRef").path("name").asString(""));
            configMaps.add(env.path("valueFrom").path("configMapKeyRef").path("name").asString(""));
          }
          for (JsonNode from : container.path("envFrom")) {
            secrets.add(from.path("secretRef").path("name").asString(""));
            configMaps.add(from.path("configMapRef").path("name").asString(""));
          }
        }
      }
      secrets.remove("");
      configMaps.remove("");
      claims.remove("");
      String serviceAccount = spec.path("serviceAccountName").asString("");
      return new PodRefs(
          pod.path("metadata").path("namespace").asString(""),
          spec.path("nodeName").asString(""),
          serviceAccount.isEmpty() ? "default" : serviceAccount,
          Set.copyOf(secrets),
          Set.copyOf(configMaps),
          Set.copyOf(claims));
    }
  }

  /** The outcome: allowed, or no opinion with a reason (which RBAC may still overrule). */
  public record Verdict(boolean allowed, String reason) {
    static final Verdict ALLOW = new Verdict(true, "");
    static final Verdict NO_OPINION = new Verdict(false, "");

    static Verdict noOpinion(String reason) {
      return new Verdict(false, reason);
    }
  }

  public NodeAuthorizer(Store store) {
    this.pods = new StoreMirror<>(store, "/registry/core/pods/", PodRefs::of, () -> {});
  }

  public NodeAuthorizer start() {
    pods.start();
    return this;
  }

  /** Waits until the pod view holds what the store holds now; true when it does in time. */
  public boolean awaitCurrent(java.time.Duration timeout) {
    return pods.awaitInSync(timeout);
  }

  /** The node a user is the kubelet of, or null. */
  static String nodeName(Attributes request) {
    var user = request.user();
    if (user == null
        || !user.groups().contains(NODES_GROUP)
        || !user.name().startsWith(NODE_PREFIX)) {
      return null;
    }
    String node = user.name().substring(NODE_PREFIX.length());
    return node.isEmpty() ? null : node;
  }

  public Verdict authorize(Attributes request) {
    String node = nodeName(request);
    if (node == null) {
      return Verdict.NO_OPINION;
    }
    if (request.resourceRequest()) {
      String resource = request.group() + "/" + request.resource();
      switch (resource) {
        case "/secrets", "/configmaps" -> {
          return readNamespaced(node, request);
        }
        case "/persistentvolumeclaims" -> {
          if (request.subresource().equals("status")) {
            return relationship(node, request);
          }
          return readNamespaced(node, request);
        }
        case "/serviceaccounts" -> {
          if (request.subresource().equals("token")) {
            if (!request.verb().equals("create") || request.name().isEmpty()) {
              return Verdict.noOpinion("can only create tokens for individual service accounts");
            }
            return relationship(node, request);
          }
        }
        case "coordination.k8s.io/leases" -> {
          return lease(node, request);
        }
        default -> {}
      }
    }
    for (PolicyRule rule : nodeRules) {
      if (rule.allows(request)) {
        return Verdict.ALLOW;
      }
    }
    return Verdict.NO_OPINION;
  }

  private Verdict readNamespaced(String node, Attributes request) {
    if (!request.verb().equals("get") || request.name().isEmpty()) {
      return Verdict.noOpinion("can only get individual resources of this type");
    }
    if (!request.subresource().isEmpty()) {
      return Verdict.noOpinion("cannot get subresource " + request.subresource());
    }
    return relationship(node, request);
  }

  private Verdict relationship(String node, Attributes request) {
    String name = request.name();
    for (PodRefs pod : pods.objects()) {
      if (!pod.nodeName().equals(node) || !pod.namespace().equals(request.namespace())) {
        continue;
      }
      boolean related =
          switch (request.resource()) {
            case "secrets" -> pod.secrets().contains(name);
            case "configmaps" -> pod.configMaps().contains(name);
            case "persistentvolumeclaims" -> pod.claims().contains(name);
            case "serviceaccounts" -> pod.serviceAccount().equals(name);
            default -> false;
          };
      if (related) {
        return Verdict.ALLOW;
      }
    }
    return Verdict.noOpinion(String.format(NO_RELATIONSHIP, node));
  }

  private static Verdict lease(String node, Attributes request) {
    if (!List.of("get", "create", "update", "patch", "delete").contains(request.verb())) {
      return Verdict.noOpinion("can only get, create, update, patch, or delete a node lease");
    }
    if (!request.namespace().equals("kube-node-lease")) {
      return Verdict.noOpinion("can only access leases in the kube-node-lease namespace");
    }
    if (!request.name().isEmpty() && !request.name().equals(node)) {
      return Verdict.noOpinion(
          "can only access node lease with the same name as the requesting node");
    }
    return Verdict.ALLOW;
  }

  @Override
  public void close() {
    pods.close();
  }
}
