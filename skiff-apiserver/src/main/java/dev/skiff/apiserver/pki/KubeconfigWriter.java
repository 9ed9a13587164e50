package dev.skiff.apiserver.pki;

import dev.skiff.api.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import tools.jackson.databind.node.ObjectNode;

/** Writes kubeconfig files that authenticate with a client certificate of the cluster CA. */
public final class KubeconfigWriter {
  public static final String CLUSTER_NAME = "skiff";

  private KubeconfigWriter() {}

  /**
   * Writes the cluster-admin kubeconfig: cluster {@code skiff}, user {@code admin}, context {@code
   * skiff} (current). The file is owner-only (0600) and replaced atomically.
   */
  public static void writeAdmin(Path file, String serverUrl, ClusterPki pki) {
    write(file, serverUrl, pki.caCertificatePem(), "admin", pki.adminCertificate());
  }

  /** Writes a kubeconfig for {@code userName} authenticating with {@code credentials}. */
  public static void write(
      Path file, String serverUrl, String caPem, String userName, IssuedCertificate credentials) {
    Pem.writeAtomically(file, render(serverUrl, caPem, userName, credentials), "rw-------");
  }

  /**
   * The admin kubeconfig as YAML text, for clients configured in memory (e.g. fabric8's {@code
   * Config.fromKubeconfig(String)}).
   */
  public static String adminYaml(String serverUrl, ClusterPki pki) {
    return render(serverUrl, pki.caCertificatePem(), "admin", pki.adminCertificate());
  }

  /** A kubeconfig as YAML text for {@code userName} authenticating with {@code credentials}. */
  public static String render(
      String serverUrl, String caPem, String userName, IssuedCertificate credentials) {
    ObjectNode config = Json.object();
    config.put("apiVersion", "v1");
    config.put("kind", "Config");
    ObjectNode cluster = config.putArray("clusters").addObject();
    cluster.put("name", CLUSTER_NAME);
    cluster
        .putObject("cluster")
        .put("certificate-authority-data", base64(caPem))
        .put("server", serverUrl);
    ObjectNode user = config.putArray("users").addObject();
    user.put("name", userName);
    user.putObject("user")
        .put("client-certificate-data", base64(credentials.certificatePem()))
        .put("client-key-data", base64(credentials.privateKeyPem()));
    ObjectNode context = config.putArray("contexts").addObject();
    context.put("name", CLUSTER_NAME);
    context.putObject("context").put("cluster", CLUSTER_NAME).put("user", userName);
    config.put("current-context", CLUSTER_NAME);
    config.putObject("preferences");
    return Json.YAML.writeValueAsString(config);
  }

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }
}
