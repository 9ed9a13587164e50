package dev.skiff.kubelet.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the kubelet API server listens and which files it reads.
 *
 * @param nodeName this node's name: the {@code nodes/<name>} SubjectAccessReviews ask about
 * @param bindAddress the address to listen on ({@code --address}, all interfaces by default)
 * @param port the port ({@code --port}, 10250; 0 picks a free one)
 * @param servingCertificatePem the serving certificate chain, PEM
 * @param servingKeyPem its private key, PEM (PKCS#8, SEC1 or PKCS#1)
 * @param clientCaPem the CAs client certificates are verified against ({@code --client-ca-file})
 * @param containerLogMaxSize {@code --container-log-max-size} in bytes (10Mi)
 * @param containerLogMaxFiles {@code --container-log-max-files} (5)
 * @param procRoot where {@code /proc} is (for node CPU and memory)
 * @param cgroupRoot where the cgroup v1 hierarchies are mounted ({@code /sys/fs/cgroup})
 */
public record KubeletServerOptions(
    String nodeName,
    String bindAddress,
    int port,
    String servingCertificatePem,
    String servingKeyPem,
    String clientCaPem,
    long containerLogMaxSize,
    int containerLogMaxFiles,
    Path procRoot,
    Path cgroupRoot) {
  public static final int DEFAULT_PORT = 10250;

  public KubeletServerOptions {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(servingCertificatePem, "servingCertificatePem");
    Objects.requireNonNull(servingKeyPem, "servingKeyPem");
    Objects.requireNonNull(clientCaPem, "clientCaPem");
    Objects.requireNonNull(procRoot, "procRoot");
    Objects.requireNonNull(cgroupRoot, "cgroupRoot");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** Kubernetes' defaults: all interfaces, port 10250, 10Mi x 5 log files, the host's /proc. */
  public static KubeletServerOptions defaults(
      String nodeName, String servingCertificatePem, String servingKeyPem, String clientCaPem) {
    return new KubeletServerOptions(
        nodeName,
        "0.0.0.0",
        DEFAULT_PORT,
        servingCertificatePem,
        servingKeyPem,
        clientCaPem,
        ContainerLogManager.DEFAULT_MAX_SIZE,
        ContainerLogManager.DEFAULT_MAX_FILES,
        Path.of("/proc"),
        Path.of("/sys/fs/cgroup"));
  }

  public KubeletServerOptions withBind(String address, int port) {
    return new KubeletServerOptions(
        nodeName,
        address,
        port,
        servingCertificatePem,
        servingKeyPem,
        clientCaPem,
        containerLogMaxSize,
        containerLogMaxFiles,
        procRoot,
        cgroupRoot);
  }

  public KubeletServerOptions withStatsRoots(Path procRoot, Path cgroupRoot) {
    return new KubeletServerOptions(
        nodeName,
        bindAddress,
        port,
        servingCertificatePem,
        servingKeyPem,
        clientCaPem,
        containerLogMaxSize,
        containerLogMaxFiles,
        procRoot,
        cgroupRoot);
  }

  public KubeletServerOptions withContainerLogLimits(long maxSize, int maxFiles) {
    return new KubeletServerOptions(
        nodeName,
        bindAddress,
        port,
        servingCertificatePem,
        servingKeyPem,
        clientCaPem,
        maxSize,
        maxFiles,
        procRoot,
        cgroupRoot);
  }
}
