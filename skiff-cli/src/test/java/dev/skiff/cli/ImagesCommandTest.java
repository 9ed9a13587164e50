package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code skiff images}: help, socket lookup and one-line errors (the import itself:
 * ImagesCommandIT).
 */
class ImagesCommandTest {
  @TempDir Path dataDir;

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
  void helpListsTheSubcommandsAndTheirOptions() {
    Result help = run("images", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("import", "ls", "rm", "agent/images");

    for (String sub : new String[] {"import", "ls", "rm"}) {
      Result subHelp = run("images", sub, "--help");
      assertThat(subHelp.exitCode()).isZero();
      assertThat(subHelp.out()).contains("--data-dir=DIR", "--address=SOCK");
    }
  }

  @Test
  void missingContainerdIsOneLineNamingTheDataDir() {
    Result result = run("images", "ls", "--data-dir", dataDir.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "skiff ls: containerd is not running for data dir "
                + dataDir
                + " (start `skiff agent` or `skiff server`)"
                + System.lineSeparator());
  }

  @Test
  void missingAddressIsOneLine() {
    Path socket = dataDir.resolve("nothing.sock");
    Result result = run("images", "rm", "--address", socket.toString(), "busybox");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip())
        .isEqualTo("skiff rm: containerd socket " + socket + " does not exist");
  }

  @Test
  void importNeedsAFile() {
    Result result = run("images", "import", "--data-dir", dataDir.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Missing required parameter: 'FILE'");
  }

  @Test
  void socketLivesUnderTheAgentsContainerdDirectory() {
    assertThat(ImagesCommand.socketUnder(Path.of("/var/lib/skiff")))
        .isEqualTo(Path.of("/var/lib/skiff/agent/containerd/containerd.sock"));
  }

  @Test
  void snapshotterComesFromTheAgentsContainerdConfig() throws Exception {
    Path config = dataDir.resolve("config.toml");
    assertThat(ImagesCommand.configuredSnapshotter(config)).isEqualTo("overlayfs");
    java.nio.file.Files.writeString(
        config,
        """
        version = 2
        [plugins."io.containerd.grpc.v1.cri".containerd]
          snapshotter = "native"
        """);
    assertThat(ImagesCommand.configuredSnapshotter(config)).isEqualTo("native");
  }
}
