package dev.skiff.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code skiff agent}: a node joining a running server. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description =
        "Run a node: kubelet (containers through containerd), kube-proxy and cluster DNS, joined"
            + " to a server with its token.",
    footer = {
      "",
      "The token is the server's <data-dir>/token (K10<ca-sha256>::<id>.<secret>): the agent checks"
          + " the server's CA against it, then trades it for a node client certificate kept in"
          + " <data-dir>/agent/kubelet.kubeconfig.",
      "Without --container-runtime-endpoint the agent runs its own containerd under"
          + " <data-dir>/agent/containerd; on Debian as root it installs containerd, runc and the"
          + " CNI plugins when they are missing. Image archives in <data-dir>/agent/images are"
          + " imported at start."
    })
public final class AgentCommand implements Callable<Integer> {

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "the API server, e.g. https://10.0.0.1:6443")
  String server;

  @Option(names = "--token", paramLabel = "TOKEN", description = "the server's join token")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "read the join token from this file (e.g. the server's <data-dir>/token)")
  Path tokenFile;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "use this kubeconfig instead of joining with a token")
  Path kubeconfig;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "where the agent keeps its state (default: /var/lib/skiff as root)")
  Path dataDir;

  @Mixin AgentFlags node = new AgentFlags();

  @Override
  public Integer call() throws Exception {
    String joinToken = token;
    if (joinToken == null && tokenFile != null) {
      joinToken = java.nio.file.Files.readString(tokenFile).strip();
    }
    if (kubeconfig == null && (server == null || joinToken == null)) {
      throw new IllegalArgumentException(
          "give --server URL and --token TOKEN (or --token-file FILE), or --kubeconfig FILE");
    }
    Path dir = dataDir != null ? dataDir : DataDirs.defaultDataDir();
    CountDownLatch stopped = ComponentServing.shutdownLatch();
    NodeAgent.Options options = node.options(server, joinToken, kubeconfig, dir, false);
    try (NodeAgent agent = NodeAgent.start(options)) {
      System.out.println("Skiff agent running as node " + options.nodeName());
      System.out.flush();
      stopped.await();
    }
    return 0;
  }
}
