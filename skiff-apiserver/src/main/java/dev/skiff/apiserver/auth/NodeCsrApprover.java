package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.authz.Attributes;
import dev.skiff.apiserver.authz.ClusterAuthorizer;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.authz.StoreMirror;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.storage.Store;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Approves node client certificate requests automatically, as Kubernetes' csrapproving controller
 * does: a request for signer {@code kubernetes.io/kube-apiserver-client-kubelet} whose subject is
 * {@code CN=system:node:<name>, O=system:nodes} with client usages only, from a requester allowed
 * to create {@code certificatesigningrequests/nodeclient} (a joining node's bootstrap token) or,
 * when the requester is that node itself, {@code certificatesigningrequests/selfnodeclient}
 * (renewal). Anything else waits for an administrator ({@code kubectl certificate approve}).
 */
final class NodeCsrApprover implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeCsrApprover.class);
  static final String MESSAGE =
      "Auto approving kubelet client certificate after SubjectAccessReview.";
  private static final Set<String> CLIENT_USAGES =
      Set.of("digital signature", "key encipherment", "client auth");

  /** Names of kubelet client requests nobody has decided on yet. */
  private final StoreMirror<Optional<String>> undecided;

  private final ClusterAuthorizer authorizer;
  private final Loopback api;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("csr-approver").factory());
  private final AtomicBoolean queued = new AtomicBoolean();

  NodeCsrApprover(Store store, ClusterAuthorizer authorizer, Loopback api) {
    this.authorizer = authorizer;
    this.api = api;
    this.undecided =
        new StoreMirror<>(
            store,
            "/registry/certificates.k8s.io/certificatesigningrequests/",
            csr ->
                undecidedKubeletRequest(csr)
                    ? Optional.of(csr.path("metadata").path("name").asString(""))
                    : Optional.empty(),
            this::enqueue);
  }

  NodeCsrApprover start() {
    undecided.start();
    return this;
  }

  private static boolean undecidedKubeletRequest(ObjectNode csr) {
    return CsrSigner.KUBELET_CLIENT.equals(csr.path("spec").path("signerName").asString(""))
        && csr.path("status").path("conditions").isEmpty();
  }

  private void enqueue() {
    if (queued.compareAndSet(false, true)) {
      worker.execute(
          () -> {
            queued.set(false);
            for (Optional<String> name : undecided.objects()) {
              name.ifPresent(this::consider);
            }
          });
    }
  }

  private void consider(String name) {
    try {
      Optional<ObjectNode> found = api.get(CsrSigner.PATH + name);
      if (found.isEmpty() || !undecidedKubeletRequest(found.get())) {
        return;
      }
      ObjectNode csr = found.get();
      if (!approvable(csr)) {
        return;
      }
      ObjectNode approved = csr.withObject("status").withArray("conditions").addObject();
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      approved.put("type", "Approved");
      approved.put("status", "True");
      approved.put("reason", "AutoApproved");
      approved.put("message", MESSAGE);
      approved.put("lastUpdateTime", now);
      approved.put("lastTransitionTime", now);
      // the registry keeps conditions under status; ApprovalApis writes them the same way
      api.update(CsrSigner.PATH + name + "/status", csr);
      log.info("event=csr_auto_approved name={}", name);
    } catch (ApiException e) {
      log.info("event=csr_approve_failed name={} code={}", name, e.code());
    }
  }

  /** Whether the request is a node client request its requester may have approved. */
  boolean approvable(ObjectNode csr) {
    JsonNode spec = csr.path("spec");
    Optional<X500Name> subject = subject(spec.path("request").asString(""));
    if (subject.isEmpty()) {
      return false;
    }
    String commonName = CsrSigner.first(subject.get(), BCStyle.CN);
    List<String> organizations = new ArrayList<>();
    for (RDN rdn : subject.get().getRDNs(BCStyle.O)) {
      organizations.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
    }
    if (!commonName.startsWith("system:node:")
        || commonName.length() == "system:node:".length()
        || !organizations.equals(List.of("system:nodes"))) {
      return false;
    }
    List<String> usages = new ArrayList<>();
    spec.path("usages").forEach(u -> usages.add(u.asString("")));
    if (!usages.contains("client auth") || !CLIENT_USAGES.containsAll(usages)) {
      return false;
    }
    List<String> groups = new ArrayList<>();
    spec.path("groups").forEach(g -> groups.add(g.asString("")));
    String username = spec.path("username").asString("");
    UserInfo requester = new UserInfo(username, spec.path("uid").asString(""), groups, Map.of());
    String subresource = username.equals(commonName) ? "selfnodeclient" : "nodeclient";
    return authorizer
        .decide(
            Attributes.resource(
                requester,
                "create",
                "certificates.k8s.io",
                "certificatesigningrequests",
                subresource,
                "",
                ""))
        .allowed();
  }

  private static Optional<X500Name> subject(String base64) {
    try {
      return Optional.of(CsrSigner.parse(base64).getSubject());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    undecided.close();
    worker.shutdownNow();
  }
}
