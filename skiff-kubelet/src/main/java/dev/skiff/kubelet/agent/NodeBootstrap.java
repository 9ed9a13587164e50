package dev.skiff.kubelet.agent;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node joining with a token (TLS bootstrapping): reads the server's CA bundle from {@code
 * /cacerts} and checks it against the hash in a {@code K10<sha256>::<id>.<secret>} token, asks for
 * a node client certificate ({@code CN=system:node:<name>, O=system:nodes}, signer {@code
 * kubernetes.io/kube-apiserver-client-kubelet}) with the bootstrap token, waits for the server to
 * approve and sign it, and writes {@code <agent-dir>/kubelet.kubeconfig} with that certificate. A
 * kubeconfig whose certificate is valid for a while yet is reused.
 */
public final class NodeBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(NodeBootstrap.class);
  public static final String KUBECONFIG = "kubelet.kubeconfig";
  static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
  private static final Pattern TOKEN =
      Pattern.compile("(?:K10([0-9a-f]{64})::)?([a-z0-9]{6}\\.[a-z0-9]{16})");
  private static final Pattern CERT_DATA = Pattern.compile("client-certificate-data:\\s*(\\S+)");

  private NodeBootstrap() {}

  /**
   * The kubeconfig this node talks to the API server with, joining first when needed.
   *
   * @throws IllegalStateException with a one-line reason (bad token, CA mismatch, denied request,
   *     no answer in time)
   */
  public static Path ensureKubeconfig(
      String serverUrl, String token, String nodeName, Path agentDir, Duration timeout) {
    Path kubeconfig = agentDir.resolve(KUBECONFIG);
    if (stillValid(kubeconfig)) {
      return kubeconfig;
    }
    Matcher m = TOKEN.matcher(token == null ? "" : token.strip());
    if (!m.matches()) {
      throw new IllegalStateException(
          "the join token must look like K10<ca-sha256>::abcdef.0123456789abcdef (see"
              + " <server-data-dir>/token)");
    }
    String caHash = m.group(1);
    String bearer = m.group(2);
    String caPem = fetchCaBundle(serverUrl);
    if (caHash == null) {
      LOG.warn(
          "event=join_ca_unpinned server={} message=\"the token has no CA hash; trusting the"
              + " server's CA without checking it\"",
          serverUrl);
    } else if (!caHash.equals(sha256(caPem))) {
      throw new IllegalStateException(
          "the server's CA does not match the join token (got sha256 "
              + sha256(caPem)
              + "): check --server and --token");
    }
    KeyPair keys = newKeyPair();
    String csrName = "node-csr-" + nodeName + "-" + randomSuffix();
    Config config =
        new ConfigBuilder()
            .withMasterUrl(serverUrl)
            .withCaCertData(base64(caPem))
            .withOauthToken(bearer)
            .build();
    String certificatePem;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      client
          .certificates()
          .v1()
          .certificateSigningRequests()
          .resource(
              new CertificateSigningRequestBuilder()
                  .withNewMetadata()
                  .withName(csrName)
                  .endMetadata()
                  .withNewSpec()
                  .withSignerName(SIGNER)
                  .withUsages("digital signature", "client auth")
                  .withRequest(base64(csrPem(nodeName, keys)))
                  .endSpec()
                  .build())
          .create();
      LOG.info("event=join_csr_created name={} node={}", csrName, nodeName);
      certificatePem = awaitCertificate(client, csrName, timeout);
    }
    writeKubeconfig(kubeconfig, serverUrl, caPem, certificatePem, privateKeyPem(keys));
    LOG.info("event=join_certificate_issued node={} kubeconfig={}", nodeName, kubeconfig);
    return kubeconfig;
  }

  private static String awaitCertificate(KubernetesClient client, String name, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      CertificateSigningRequest csr =
          client.certificates().v1().certificateSigningRequests().withName(name).get();
      if (csr != null && csr.getStatus() != null) {
        for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
          if ("Denied".equals(c.getType()) || "Failed".equals(c.getType())) {
            throw new IllegalStateException(
                "certificate request "
                    + name
                    + " was "
                    + c.getType().toLowerCase()
                    + ": "
                    + c.getMessage());
          }
        }
        String certificate = csr.getStatus().getCertificate();
        if (certificate != null && !certificate.isEmpty()) {
          return new String(Base64.getDecoder().decode(certificate), StandardCharsets.UTF_8);
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name);
      }
    }
    throw new IllegalStateException(
        "certificate request "
            + name
            + " was not signed within "
            + timeout.toSeconds()
            + "s (is the server's controller running? approve it with `kubectl certificate"
            + " approve "
            + name
            + "`)");
  }

  /** Reads {@code /cacerts} without trusting anyone yet: the caller checks the hash. */
  static String fetchCaBundle(String serverUrl) {
    try {
      SSLContext unchecked = SSLContext.getInstance("TLS");
      unchecked.init(null, new TrustManager[] {new AcceptAll()}, new SecureRandom());
      HttpClient http =
          HttpClient.newBuilder()
              .sslContext(unchecked)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(serverUrl + "/cacerts"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200 || !response.body().contains("BEGIN CERTIFICATE")) {
        throw new IllegalStateException(
            "the server at "
                + serverUrl
                + " did not serve its CA (HTTP "
                + response.statusCode()
                + ")");
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the server at " + serverUrl + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether the kubeconfig holds a client certificate valid for at least another day. */
  static boolean stillValid(Path kubeconfig) {
    if (!Files.exists(kubeconfig)) {
      return false;
    }
    try {
      Matcher m = CERT_DATA.matcher(Files.readString(kubeconfig));
      if (!m.find()) {
        return false;
      }
      X509Certificate certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
      return certificate.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)));
    } catch (IOException | CertificateException | IllegalArgumentException e) {
      return false;
    }
  }

  static void writeKubeconfig(
      Path file, String serverUrl, String caPem, String certificatePem, String keyPem) {
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: skiff
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: node
          user:
            client-certificate-data: %s
            client-key-data: %s
        contexts:
        - name: node
          context:
            cluster: skiff
            user: node
        current-context: node
        """
            .formatted(serverUrl, base64(caPem), base64(certificatePem), base64(keyPem));
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, yaml);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String csrPem(String nodeName, KeyPair keys) {
    try {
      PKCS10CertificationRequest request =
          new JcaPKCS10CertificationRequestBuilder(
                  new X500Name("O=system:nodes,CN=system:node:" + nodeName), keys.getPublic())
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      return pem(request);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * SEC1 ("EC PRIVATE KEY") with the curve and public key, the form fabric8, Go and OpenSSL read
   * (fabric8 takes a bare PKCS#8 key for RSA).
   */
  private static String privateKeyPem(KeyPair keys) {
    java.security.interfaces.ECPrivateKey ec =
        (java.security.interfaces.ECPrivateKey) keys.getPrivate();
    org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(ec.getEncoded());
    org.bouncycastle.asn1.x509.SubjectPublicKeyInfo publicInfo =
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
    try {
      byte[] sec1 =
          new org.bouncycastle.asn1.sec.ECPrivateKey(
                  ec.getParams().getOrder().bitLength(),
                  ec.getS(),
                  publicInfo.getPublicKeyData(),
                  info.getPrivateKeyAlgorithm().getParameters())
              .getEncoded();
      return pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String randomSuffix() {
    return HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
  }

  /** Only for fetching the CA bundle, whose hash is checked before anything is trusted. */
  private static final class AcceptAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
