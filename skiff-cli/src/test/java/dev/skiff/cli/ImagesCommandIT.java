package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.node.NetnsCluster;
import dev.skiff.testing.node.TestImages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code skiff images import|ls|rm} against a containerd in a node namespace. */
class ImagesCommandIT {
  private record Result(int exitCode, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(new OneLineErrors())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void importListAndRemoveOnTheNodesContainerd() throws Exception {
    try (NetnsCluster cluster = NetnsCluster.create(1)) {
      Path dataDir = cluster.workDir().resolve("data");
      Path dir = dataDir.resolve("agent/containerd");
      Files.createDirectories(dir);
      Path config =
          Files.writeString(
              dir.resolve("config.toml"),
              """
              version = 2
              root = "%1$s/root"
              state = "%1$s/state"
              [grpc]
                address = "%1$s/containerd.sock"
              [plugins."io.containerd.grpc.v1.cri"]
                restrict_oom_score_adj = true
              """
                  .formatted(dir));
      cluster.node(1).start("containerd", List.of("containerd", "--config", config.toString()));
      Path socket = ImagesCommand.socketUnder(dataDir);
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket));
      String data = dataDir.toString();

      Result imported =
          run("images", "import", "--data-dir", data, TestImages.busybox().toString());
      assertThat(imported.err()).isEmpty();
      assertThat(imported.exitCode()).isZero();
      assertThat(imported.out().strip()).isEqualTo(TestImages.BUSYBOX);

      Result table = run("images", "ls", "--data-dir", data);
      assertThat(table.exitCode()).isZero();
      assertThat(table.out()).startsWith("REF").contains(TestImages.BUSYBOX, "linux/amd64");
      Result quiet = run("images", "ls", "-q", "--address", socket.toString());
      assertThat(quiet.out().lines()).contains(TestImages.BUSYBOX);

      Result unknown = run("images", "rm", "--data-dir", data, "skiff.local/none:1");
      assertThat(unknown.exitCode()).isEqualTo(1);
      assertThat(unknown.err().strip()).isEqualTo("skiff rm: image not found: skiff.local/none:1");

      Result removed = run("images", "rm", "--data-dir", data, TestImages.BUSYBOX);
      assertThat(removed.exitCode()).isZero();
      assertThat(run("images", "ls", "-q", "--data-dir", data).out().lines())
          .doesNotContain(TestImages.BUSYBOX);
    }
  }
}
