package dev.skiff.apiserver.admission;

import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.authz.Loopback;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' {@code ServiceAccount} admission plugin for new pods: {@code spec.serviceAccountName}
 * defaults to {@code default} (mirrored in the deprecated {@code serviceAccount} field); the
 * service account must exist (403 otherwise; the {@code default} one is looked up several times
 * since a controller creates it just after its namespace); unless the pod, or failing that the
 * service account, sets {@code automountServiceAccountToken: false}, a {@code
 * kube-api-access-xxxxx} projected volume (bound token, the cluster CA from {@code
 * kube-root-ca.crt} and the namespace) is added and mounted read-only at {@value #MOUNT_PATH} in
 * every init and app container that has nothing mounted there; the service account's {@code
 * imagePullSecrets} are copied to a pod that has none. Mirror pods are left as they are, but may
 * not name a service account, reference secrets or project service-account tokens.
 */
public final class ServiceAccountAdmission implements AdmissionPlugin {
  public static final String DEFAULT_SERVICE_ACCOUNT = "default";
  public static final String MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
  static final String VOLUME_PREFIX = "kube-api-access-";

  /** Kubernetes' bound token lifetime for the projected volume (an hour and 7 seconds). */
  static final long TOKEN_EXPIRATION_SECONDS = 3607;

  /** Kubernetes' alphabet for generated name suffixes (no vowels, no confusable digits). */
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private static final int DEFAULT_ACCOUNT_ATTEMPTS = 10;
  private static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

  /** Reads one service account; empty when it does not exist. */
  @FunctionalInterface
  public interface ServiceAccounts {
    Optional<ObjectNode> get(String namespace, String name);
  }

  /** Waits between lookups of the default service account. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final ServiceAccounts accounts;
  private final RandomGenerator random;
  private final Sleeper sleeper;

  public ServiceAccountAdmission(Loopback api) {
    this(
        (namespace, name) ->
            api.get("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + name),
        RandomGenerator.getDefault(),
        duration -> Thread.sleep(duration));
  }

  ServiceAccountAdmission(ServiceAccounts accounts, RandomGenerator random, Sleeper sleeper) {
    this.accounts = accounts;
    this.random = random;
    this.sleeper = sleeper;
  }

  @Override
  public String name() {
    return "ServiceAccount";
  }

  @Override
  public void mutate(AdmissionRequest request) {
    if (!request.isCore("pods")
        || request.operation() != AdmissionRequest.Operation.CREATE
        || !request.subresource().isEmpty()) {
      return;
    }
    ObjectNode pod = request.object();
    if (pod.path("metadata").path("annotations").has(MIRROR_ANNOTATION)) {
      return;
    }
    ObjectNode spec = pod.get("spec") instanceof ObjectNode s ? s : pod.putObject("spec");
    String accountName = spec.path("serviceAccountName").asString("");
    if (accountName.isEmpty()) {
      accountName = DEFAULT_SERVICE_ACCOUNT;
      spec.put("serviceAccountName", accountName);
    }
    spec.put("serviceAccount", accountName);
    ObjectNode account = lookUp(request, accountName);
    if (automount(spec, account)) {
      mountToken(spec);
    }
    JsonNode pullSecrets = account.path("imagePullSecrets");
    if (spec.path("imagePullSecrets").isEmpty() && !pullSecrets.isEmpty()) {
      ArrayNode copied = spec.putArray("imagePullSecrets");
      for (JsonNode secret : pullSecrets) {
        copied.addObject().put("name", secret.path("name").asString(""));
      }
    }
  }

  @Override
  public void validate(AdmissionRequest request) {
    if (!request.isCore("pods")
        || request.operation() != AdmissionRequest.Operation.CREATE
        || !request.subresource().isEmpty()) {
      return;
    }
    ObjectNode pod = request.object();
    if (!pod.path("metadata").path("annotations").has(MIRROR_ANNOTATION)) {
      return;
    }
    JsonNode spec = pod.path("spec");
    String refusal = null;
    if (!spec.path("serviceAccountName").asString("").isEmpty()) {
      refusal = "a mirror pod may not reference service accounts";
    } else if (referencesSecrets(spec)) {
      refusal = "a mirror pod may not reference secrets";
    } else if (projectsTokens(spec)) {
      refusal = "a mirror pod may not use ServiceAccountToken volume projections";
    }
    if (refusal != null) {
      throw Forbidden.error("", "pods", request.name() == null ? "" : request.name(), refusal);
    }
  }

  /** Secret volumes and projections, secret env references in any container, pull secrets. */
  private static boolean referencesSecrets(JsonNode spec) {
    if (!spec.path("imagePullSecrets").isEmpty()) {
      return true;
    }
    for (JsonNode volume : spec.path("volumes")) {
      if (volume.has("secret")
          || volume.path("csi").has("nodePublishSecretRef")
          || volume.path("flexVolume").has("secretRef")) {
        return true;
      }
      for (JsonNode source : volume.path("projected").path("sources")) {
        if (source.has("secret")) {
          return true;
        }
      }
    }
    for (String field : new String[] {"initContainers", "containers", "ephemeralContainers"}) {
      for (JsonNode container : spec.path(field)) {
        for (JsonNode env : container.path("env")) {
          if (env.path("valueFrom").has("secretKeyRef")) {
            return true;
          }
        }
        for (JsonNode from : container.path("envFrom")) {
          if (from.has("secretRef")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean projectsTokens(JsonNode spec) {
    for (JsonNode volume : spec.path("volumes")) {
      for (JsonNode source : volume.path("projected").path("sources")) {
        if (source.has("serviceAccountToken")) {
          return true;
        }
      }
    }
    return false;
  }

  private ObjectNode lookUp(AdmissionRequest request, String accountName) {
    String namespace = request.namespace();
    int attempts = accountName.equals(DEFAULT_SERVICE_ACCOUNT) ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
    Duration interval = Duration.ofMillis(100 + random.nextInt(100));
    for (int attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        try {
          sleeper.sleep(interval);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      Optional<ObjectNode> found = accounts.get(namespace, accountName);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw Forbidden.error(
        "",
        "pods",
        request.name() == null ? "" : request.name(),
        "error looking up service account "
            + namespace
            + "/"
            + accountName
            + ": serviceaccount \""
            + accountName
            + "\" not found");
  }

  /** The pod's choice wins, then the service account's; mounting is the default. */
  private static boolean automount(ObjectNode spec, ObjectNode account) {
    JsonNode fromPod = spec.get("automountServiceAccountToken");
    if (fromPod != null && fromPod.isBoolean()) {
      return fromPod.asBoolean();
    }
    JsonNode fromAccount = account.get("automountServiceAccountToken");
    if (fromAccount != null && fromAccount.isBoolean()) {
      return fromAccount.asBoolean();
    }
    return true;
  }

  private void mountToken(ObjectNode spec) {
    String volumeName = null;
    for (JsonNode volume : spec.path("volumes")) {
      String name = volume.path("name").asString("");
      if (name.startsWith(VOLUME_PREFIX)) {
        volumeName = name;
        break;
      }
    }
    boolean hasVolume = volumeName != null;
    if (!hasVolume) {
      volumeName = VOLUME_PREFIX + suffix();
    }
    boolean needsVolume = false;
    for (String field : new String[] {"initContainers", "containers"}) {
      for (JsonNode container : spec.path(field)) {
        if (container instanceof ObjectNode c && !mountsTokenPath(c)) {
          ArrayNode mounts =
              c.get("volumeMounts") instanceof ArrayNode m ? m : c.putArray("volumeMounts");
          mounts
              .addObject()
              .put("name", volumeName)
              .put("readOnly", true)
              .put("mountPath", MOUNT_PATH);
          needsVolume = true;
        }
      }
    }
    if (needsVolume && !hasVolume) {
      ArrayNode volumes = spec.get("volumes") instanceof ArrayNode v ? v : spec.putArray("volumes");
      volumes.add(tokenVolume(volumes.objectNode(), volumeName));
    }
  }

  private static boolean mountsTokenPath(ObjectNode container) {
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("mountPath").asString("").equals(MOUNT_PATH)) {
        return true;
      }
    }
    return false;
  }

  private String suffix() {
    StringBuilder out = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }

  private static ObjectNode tokenVolume(ObjectNode volume, String name) {
    volume.put("name", name);
    ObjectNode projected = volume.putObject("projected");
    ArrayNode sources = projected.putArray("sources");
    sources
        .addObject()
        .putObject("serviceAccountToken")
        .put("expirationSeconds", TOKEN_EXPIRATION_SECONDS)
        .put("path", "token");
    ObjectNode configMap = sources.addObject().putObject("configMap");
    configMap.put("name", "kube-root-ca.crt");
    configMap.putArray("items").addObject().put("key", "ca.crt").put("path", "ca.crt");
    ObjectNode item = sources.addObject().putObject("downwardAPI").putArray("items").addObject();
    item.putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", "metadata.namespace");
    item.put("path", "namespace");
    projected.put("defaultMode", 420);
    return volume;
  }
}
