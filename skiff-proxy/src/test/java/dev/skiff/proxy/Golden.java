package dev.skiff.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under src/test/resources/golden. Run the tests with {@code -Dgolden.update=true} to
 * rewrite them from the current output (then review the diff).
 */
public final class Golden {
  private Golden() {}

  public static String read(String name) {
    if (Boolean.getBoolean("golden.update")) {
      return null;
    }
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing golden file " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** In update mode writes {@code actual} as the golden file and returns it. */
  public static String expect(String name, String actual) {
    String golden = read(name);
    if (golden != null) {
      return golden;
    }
    try {
      Path file = Path.of("src/test/resources/golden", name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual);
      return actual;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
