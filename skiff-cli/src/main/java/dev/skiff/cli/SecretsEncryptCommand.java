package dev.skiff.cli;

import dev.skiff.apiserver.encryption.SecretsEncryption;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code skiff secrets-encrypt status|rotate}: the encryption at rest of a server started with
 * {@code --secrets-encryption}, through its key file {@code
 * <data-dir>/cred/encryption-config.json}.
 */
@Command(
    name = "secrets-encrypt",
    mixinStandardHelpOptions = true,
    description = "Shows or rotates the keys secrets are encrypted with at rest.",
    subcommands = {SecretsEncryptCommand.Status.class, SecretsEncryptCommand.Rotate.class})
public final class SecretsEncryptCommand {

  static Path dataDir(Path dataDir) {
    return dataDir != null ? dataDir : DataDirs.defaultDataDir();
  }

  /** {@code skiff secrets-encrypt status}: whether on, the rotation stage and the keys. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Prints whether secrets are encrypted, the rotation stage and the keys.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory.")
    Path dataDir;

    @Override
    public Integer call() {
      SecretsEncryption.Status status = SecretsEncryption.status(dataDir(dataDir));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Encryption Status: " + (status.enabled() ? "Enabled" : "Disabled"));
      if (status.enabled()) {
        out.println("Current Rotation Stage: " + (status.stage().isEmpty() ? "-" : status.stage()));
        if (status.reencrypted() >= 0) {
          out.println("Secrets Re-encrypted: " + status.reencrypted());
        }
        out.println();
        out.printf("%-7s %-9s %s%n", "Active", "Key Type", "Name");
        out.printf("%-7s %-9s %s%n", "------", "--------", "----");
        List<String> keys = status.keys();
        for (String key : keys) {
          out.printf("%-7s %-9s %s%n", key.equals(status.primaryKey()) ? " *" : "", "AES-GCM", key);
        }
      }
      out.flush();
      return 0;
    }
  }

  /**
   * {@code skiff secrets-encrypt rotate}: a new primary key, the old ones kept for reading; the
   * server re-encrypts every secret with it.
   */
  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description =
          "Adds a new key that encrypts from now on (older keys stay for reading). A running"
              + " server picks it up within seconds and re-encrypts every secret with it; a"
              + " stopped one does so at its next start.")
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory.")
    Path dataDir;

    @Override
    public Integer call() {
      String key = SecretsEncryption.rotate(dataDir(dataDir));
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "encryption keys rotated: new key "
              + key
              + "; the server re-encrypts every secret with it"
              + " (see skiff secrets-encrypt status)");
      out.flush();
      return 0;
    }
  }
}
