package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.encryption.SecretsEncryption;
import dev.skiff.storage.memory.MemoryStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code skiff secrets-encrypt status|rotate} against a data directory. */
class SecretsEncryptCommandTest {
  @TempDir Path dataDir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new SecretsEncryptCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .setExecutionExceptionHandler(new OneLineErrors())
            .execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void statusIsDisabledWithoutAKeyFileAndRotateRefuses() {
    Run status = run("status", "--data-dir", dataDir.toString());
    assertThat(status.exit()).isZero();
    assertThat(status.out()).isEqualTo("Encryption Status: Disabled" + System.lineSeparator());

    Run rotate = run("rotate", "--data-dir", dataDir.toString());
    assertThat(rotate.exit()).isNotZero();
    assertThat(rotate.err()).contains("start the server once with --secrets-encryption");
  }

  @Test
  void rotateAddsAPrimaryKeyThatTheServerReencryptsWith() {
    try (MemoryStore store = new MemoryStore();
        var encrypted = SecretsEncryption.start(dataDir, store, Duration.ZERO).store()) {
      String first = SecretsEncryption.status(dataDir).primaryKey();
      Run before = run("status", "--data-dir", dataDir.toString());
      assertThat(before.out())
          .contains("Encryption Status: Enabled")
          .contains("Current Rotation Stage: reencrypt_finished")
          .containsPattern(" \\*\\s+AES-GCM\\s+" + first);

      Run rotate = run("rotate", "--data-dir", dataDir.toString());
      assertThat(rotate.exit()).as(rotate.err()).isZero();
      String second = SecretsEncryption.status(dataDir).primaryKey();
      assertThat(second).isNotEqualTo(first);
      assertThat(rotate.out()).contains("new key " + second);
      Run after = run("status", "--data-dir", dataDir.toString());
      assertThat(after.out())
          .contains("Current Rotation Stage: reencrypt_request")
          .containsPattern(" \\*\\s+AES-GCM\\s+" + second)
          .containsPattern("\\n\\s+AES-GCM\\s+" + first);
    }
  }
}
