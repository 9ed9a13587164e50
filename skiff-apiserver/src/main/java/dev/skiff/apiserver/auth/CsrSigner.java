package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.authz.StoreMirror;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.Pem;
import dev.skiff.storage.Store;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signs approved CertificateSigningRequests for the client signers {@code
 * kubernetes.io/kube-apiserver-client} and {@code kubernetes.io/kube-apiserver-client-kubelet} (the
 * latter only for {@code system:node:<name>} in {@code system:nodes}) from the cluster CA, writing
 * {@code status.certificate}; a request a signer cannot honour gets a {@code Failed} condition.
 * {@code spec.expirationSeconds} is honoured (at least 10 minutes, at most the CA's default leaf
 * validity).
 */
final class CsrSigner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CsrSigner.class);
  static final String CLIENT = "kubernetes.io/kube-apiserver-client";
  static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
  static final String PATH = "/apis/certificates.k8s.io/v1/certificatesigningrequests/";
  private static final Set<String> SIGNERS = Set.of(CLIENT, KUBELET_CLIENT);

  /** An approved request waiting for its certificate. */
  record Pending(String name) {
    static Pending of(ObjectNode csr) {
      if (!SIGNERS.contains(csr.path("spec").path("signerName").asString(""))
          || !csr.path("status").path("certificate").asString("").isEmpty()) {
        return null;
      }
      boolean approved = false;
      for (JsonNode condition : csr.path("status").path("conditions")) {
        String type = condition.path("type").asString("");
        if (type.equals("Denied") || type.equals("Failed")) {
          return null;
        }
        approved |=
            type.equals("Approved") && condition.path("status").asString("True").equals("True");
      }
      return approved ? new Pending(csr.path("metadata").path("name").asString("")) : null;
    }
  }

  private final StoreMirror<Optional<Pending>> requests;
  private final ClusterPki pki;
  private final Loopback api;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("csr-signer").factory());
  private final AtomicBoolean queued = new AtomicBoolean();

  CsrSigner(Store store, ClusterPki pki, Loopback api) {
    this.pki = pki;
    this.api = api;
    this.requests =
        new StoreMirror<>(
            store,
            "/registry/certificates.k8s.io/certificatesigningrequests/",
            csr -> Optional.ofNullable(Pending.of(csr)),
            this::enqueue);
  }

  CsrSigner start() {
    requests.start();
    return this;
  }

  private void enqueue() {
    if (queued.compareAndSet(false, true)) {
      worker.execute(
          () -> {
            queued.set(false);
            for (Optional<Pending> pending : requests.objects()) {
              pending.ifPresent(p -> sign(p.name()));
            }
          });
    }
  }

  private void sign(String name) {
    try {
      Optional<ObjectNode> found = api.get(PATH + name);
      if (found.isEmpty() || Pending.of(found.get()) == null) {
        return;
      }
      ObjectNode csr = found.get();
      ObjectNode status = (ObjectNode) csr.path("status");
      try {
        byte[] certificate = certificateFor(csr.path("spec"));
        status.put("certificate", Base64.getEncoder().encodeToString(certificate));
      } catch (IllegalArgumentException e) {
        ArrayNode conditions = status.withArray("conditions");
        ObjectNode failed = conditions.addObject();
        String now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        failed.put("type", "Failed");
        failed.put("status", "True");
        failed.put("reason", "SignerValidationFailure");
        failed.put("message", e.getMessage());
        failed.put("lastUpdateTime", now);
        failed.put("lastTransitionTime", now);
      }
      api.update(PATH + name + "/status", csr);
      log.info("event=csr_signed name={}", name);
    } catch (ApiException e) {
      log.info("event=csr_sign_failed name={} code={}", name, e.code());
    }
  }

  private byte[] certificateFor(JsonNode spec) {
    String signer = spec.path("signerName").asString("");
    PKCS10CertificationRequest request = parse(spec.path("request").asString(""));
    X500Name subject = request.getSubject();
    String commonName = first(subject, BCStyle.CN);
    List<String> organizations = new ArrayList<>();
    for (RDN rdn : subject.getRDNs(BCStyle.O)) {
      organizations.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
    }
    if (commonName.isEmpty()) {
      throw new IllegalArgumentException("the request has no common name");
    }
    if (signer.equals(KUBELET_CLIENT)
        && (!commonName.startsWith("system:node:")
            || !organizations.equals(List.of("system:nodes")))) {
      throw new IllegalArgumentException(
          "subject must be CN=system:node:<name>, O=system:nodes for " + KUBELET_CLIENT);
    }
    long seconds = spec.path("expirationSeconds").asLong(0);
    Duration validity =
        seconds <= 0
            ? ClusterPki.LEAF_VALIDITY
            : Duration.ofSeconds(
                Math.min(Math.max(seconds, 600), ClusterPki.LEAF_VALIDITY.toSeconds()));
    PublicKey key;
    try {
      key = new JcaPEMKeyConverter().getPublicKey(request.getSubjectPublicKeyInfo());
    } catch (IOException e) {
      throw new IllegalArgumentException("the request's public key is not usable");
    }
    String pem = Pem.encode(pki.signClientCertificate(key, commonName, organizations, validity));
    return pem.getBytes(StandardCharsets.UTF_8);
  }

  static String first(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    RDN[] rdns = name.getRDNs(type);
    return rdns.length == 0 ? "" : IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }

  /**
   * The PKCS#10 request in a CSR's base64 {@code spec.request}; IllegalArgumentException if none.
   */
  static PKCS10CertificationRequest parse(String base64) {
    try {
      String pem = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
      try (PEMParser parser = new PEMParser(new StringReader(pem))) {
        if (parser.readObject() instanceof PKCS10CertificationRequest request) {
          return request;
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // fall through
    }
    throw new IllegalArgumentException("spec.request is not a PEM certificate request");
  }

  @Override
  public void close() {
    requests.close();
    worker.shutdownNow();
  }
}
