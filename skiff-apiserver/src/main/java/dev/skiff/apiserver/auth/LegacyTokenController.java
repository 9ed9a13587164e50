package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.authz.StoreMirror;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.storage.Store;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fills {@code kubernetes.io/service-account-token} Secrets, as Kubernetes' tokens controller does:
 * a Secret naming an existing service account in its {@code kubernetes.io/service-account.name}
 * annotation gets {@code data.token} (a legacy, non-expiring token), {@code data["ca.crt"]}, {@code
 * data.namespace} and the {@code kubernetes.io/service-account.uid} annotation.
 */
final class LegacyTokenController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LegacyTokenController.class);
  static final String TYPE = "kubernetes.io/service-account-token";
  static final String NAME_ANNOTATION = "kubernetes.io/service-account.name";
  static final String UID_ANNOTATION = "kubernetes.io/service-account.uid";

  /** A secret waiting for its token. */
  record Pending(String namespace, String name, String account) {
    static Pending of(ObjectNode secret) {
      if (!TYPE.equals(secret.path("type").asString(""))
          || secret.path("data").has("token")
          || secret.path("metadata").has("deletionTimestamp")) {
        return null;
      }
      String account =
          secret.path("metadata").path("annotations").path(NAME_ANNOTATION).asString("");
      if (account.isEmpty()) {
        return null;
      }
      return new Pending(
          secret.path("metadata").path("namespace").asString(""),
          secret.path("metadata").path("name").asString(""),
          account);
    }
  }

  private final StoreMirror<Optional<Pending>> secrets;
  private final ServiceAccountTokens tokens;
  private final Loopback api;
  private final String caPem;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          Thread.ofVirtual().name("legacy-token-controller").factory());
  private final AtomicBoolean queued = new AtomicBoolean();

  LegacyTokenController(Store store, ServiceAccountTokens tokens, Loopback api, String caPem) {
    this.tokens = tokens;
    this.api = api;
    this.caPem = caPem;
    this.secrets =
        new StoreMirror<>(
            store,
            "/registry/core/secrets/",
            s -> Optional.ofNullable(Pending.of(s)),
            this::enqueue);
  }

  LegacyTokenController start() {
    secrets.start();
    return this;
  }

  private void enqueue() {
    if (queued.compareAndSet(false, true)) {
      worker.execute(
          () -> {
            queued.set(false);
            for (Optional<Pending> pending : secrets.objects()) {
              pending.ifPresent(this::fill);
            }
          });
    }
  }

  private void fill(Pending pending) {
    String base = "/api/v1/namespaces/" + pending.namespace();
    try {
      Optional<ObjectNode> account = api.get(base + "/serviceaccounts/" + pending.account());
      Optional<ObjectNode> secret = api.get(base + "/secrets/" + pending.name());
      if (account.isEmpty() || secret.isEmpty() || Pending.of(secret.get()) == null) {
        return;
      }
      String uid = account.get().path("metadata").path("uid").asString("");
      ObjectNode updated = secret.get();
      ObjectNode metadata = (ObjectNode) updated.path("metadata");
      ObjectNode annotations =
          metadata.get("annotations") instanceof ObjectNode a
              ? a
              : metadata.putObject("annotations");
      annotations.put(UID_ANNOTATION, uid);
      ObjectNode data = updated.get("data") instanceof ObjectNode d ? d : updated.putObject("data");
      data.put(
          "token",
          base64(tokens.issueLegacy(pending.namespace(), pending.account(), uid, pending.name())));
      data.put("ca.crt", base64(caPem));
      data.put("namespace", base64(pending.namespace()));
      api.update(base + "/secrets/" + pending.name(), updated);
    } catch (ApiException e) {
      log.info(
          "event=legacy_token_fill_failed namespace={} secret={} code={}",
          pending.namespace(),
          pending.name(),
          e.code());
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    secrets.close();
    worker.shutdownNow();
  }
}
