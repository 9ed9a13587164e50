package dev.skiff.apiserver.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code <data-dir>/token}: the node join token of a server, pinned to its CA (k3s' {@code
 * K10<hash>::} form). A token given with {@code --token} wins and is written there; otherwise the
 * file's token is kept across restarts; otherwise a new one is made.
 */
public final class NodeTokenFile {
  public static final String FILE_NAME = "token";

  private NodeTokenFile() {}

  /**
   * @param given the {@code --token} value, or null
   * @throws IllegalArgumentException when {@code given} is not a bootstrap token, with the fix
   */
  public static BootstrapToken loadOrCreate(Path dataDir, String given, String caBundlePem) {
    Path file = dataDir.resolve(FILE_NAME);
    BootstrapToken token;
    if (given != null && !given.isBlank()) {
      token =
          BootstrapToken.parse(given)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "--token must look like abcdef.0123456789abcdef (6 and 16 characters of"
                              + " a-z and 0-9), optionally prefixed K10<ca-sha256>::"));
    } else {
      token = read(file);
      if (token == null) {
        token = BootstrapToken.generate(caBundlePem);
      }
    }
    token = token.pinnedTo(caBundlePem);
    write(file, token);
    return token;
  }

  private static BootstrapToken read(Path file) {
    try {
      return Files.exists(file)
          ? BootstrapToken.parse(Files.readString(file, StandardCharsets.UTF_8)).orElse(null)
          : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void write(Path file, BootstrapToken token) {
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(FILE_NAME + ".tmp");
      Files.writeString(temp, token + "\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
