package dev.skiff.kubelet.runtime;

import dev.skiff.kubelet.image.PauseImage;
import dev.skiff.kubelet.network.NetNamespace;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the agent runs its containerd. Everything containerd writes lives under the node's data
 * directory, so several nodes on one machine (each with its own data directory and network
 * namespace) never share a socket, a state directory or an image store.
 *
 * @param dataDir the agent's {@code --data-dir}
 * @param sandboxImage the pause image the CRI plugin uses for pod sandboxes (present locally)
 * @param cniBinDir where the CNI plugins are ({@code /usr/lib/cni} on Debian)
 * @param cniConfDir where the pod network's CNI configuration is written
 * @param registriesFile k3s-format {@code registries.yaml} (mirrors, TLS, auth); may not exist
 * @param existingEndpoint {@code --container-runtime-endpoint}: use that runtime and supervise
 *     nothing; null to supervise our own containerd
 * @param containerdBinary the containerd executable (a name looked up on PATH, or a path)
 * @param netns the network namespace containerd runs in
 * @param startTimeout how long containerd may take until its CRI service answers
 */
public record ContainerdOptions(
    Path dataDir,
    String sandboxImage,
    Path cniBinDir,
    Path cniConfDir,
    Path registriesFile,
    String existingEndpoint,
    String containerdBinary,
    NetNamespace netns,
    Duration startTimeout) {

  /** The pause image the agent builds and imports itself. */
  public static final String DEFAULT_SANDBOX_IMAGE = PauseImage.REFERENCE;

  public static final Path DEFAULT_CNI_BIN_DIR = Path.of("/usr/lib/cni");

  public static ContainerdOptions defaults(Path dataDir) {
    return new ContainerdOptions(
        dataDir,
        DEFAULT_SANDBOX_IMAGE,
        DEFAULT_CNI_BIN_DIR,
        dataDir.resolve("agent/etc/cni/net.d"),
        dataDir.resolve("agent/registries.yaml"),
        null,
        "containerd",
        NetNamespace.CURRENT,
        Duration.ofSeconds(60));
  }

  public ContainerdOptions withSandboxImage(String image) {
    return new ContainerdOptions(
        dataDir,
        image,
        cniBinDir,
        cniConfDir,
        registriesFile,
        existingEndpoint,
        containerdBinary,
        netns,
        startTimeout);
  }

  public ContainerdOptions withExistingEndpoint(String endpoint) {
    return new ContainerdOptions(
        dataDir,
        sandboxImage,
        cniBinDir,
        cniConfDir,
        registriesFile,
        endpoint,
        containerdBinary,
        netns,
        startTimeout);
  }

  public ContainerdOptions withCniBinDir(Path dir) {
    return new ContainerdOptions(
        dataDir,
        sandboxImage,
        dir,
        cniConfDir,
        registriesFile,
        existingEndpoint,
        containerdBinary,
        netns,
        startTimeout);
  }

  public ContainerdOptions withNetns(NetNamespace namespace) {
    return new ContainerdOptions(
        dataDir,
        sandboxImage,
        cniBinDir,
        cniConfDir,
        registriesFile,
        existingEndpoint,
        containerdBinary,
        namespace,
        startTimeout);
  }

  /** {@code <data-dir>/agent/containerd}: config, root, state, socket and log. */
  public Path containerdDir() {
    return dataDir.resolve("agent/containerd");
  }

  public Path configFile() {
    return containerdDir().resolve("config.toml");
  }

  public Path rootDir() {
    return containerdDir().resolve("root");
  }

  public Path stateDir() {
    return containerdDir().resolve("state");
  }

  public Path socket() {
    return containerdDir().resolve("containerd.sock");
  }

  /** containerd's per-registry host configuration ({@code certs.d/<host>/hosts.toml}). */
  public Path certsDir() {
    return containerdDir().resolve("certs.d");
  }

  public Path logFile() {
    return containerdDir().resolve("containerd.log");
  }
}
