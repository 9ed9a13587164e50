package dev.skiff.kubelet.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's statically linked busybox (Debian's {@code busybox-static}), the one binary the pause
 * and busybox images are made of. A dynamically linked busybox would not start in an image without
 * a C library, so it is refused with the same installation hint as a missing one.
 */
public final class StaticBusybox {
  /** Where Debian's busybox-static installs the binary (/bin is a link to /usr/bin). */
  public static final Path DEFAULT_PATH = Path.of("/usr/bin/busybox");

  private static final String INSTALL_HINT = "install it with: apt-get install busybox-static";
  private static final int PT_INTERP = 3;

  private StaticBusybox() {}

  /**
   * Checks that {@code binary} is a statically linked ELF executable and returns it; throws {@link
   * IllegalStateException} naming the package to install otherwise.
   */
  public static Path require(Path binary) {
    if (!Files.isRegularFile(binary)) {
      throw new IllegalStateException(
          "static busybox not found at " + binary + " (" + INSTALL_HINT + ")");
    }
    if (isDynamicElf(binary)) {
      throw new IllegalStateException(
          binary + " is dynamically linked; images need the static build (" + INSTALL_HINT + ")");
    }
    return binary;
  }

  /** The applet names {@code busybox --list} prints, sorted, without {@code busybox} itself. */
  public static List<String> applets(Path binary) {
    require(binary);
    try {
      Process process =
          new ProcessBuilder(binary.toString(), "--list").redirectErrorStream(true).start();
      String output;
      try (InputStream in = process.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(binary + " --list failed: " + output.strip());
      }
      List<String> applets = new ArrayList<>();
      output
          .lines()
          .map(String::strip)
          .filter(name -> !name.isEmpty() && !name.equals("busybox") && !name.contains("/"))
          .sorted()
          .forEach(applets::add);
      return applets;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + binary + " --list", e);
    }
  }

  /** True if the file is an ELF executable with a program interpreter (a dynamic one). */
  static boolean isDynamicElf(Path binary) {
    try (var channel = Files.newByteChannel(binary)) {
      ByteBuffer header = ByteBuffer.allocate(64);
      channel.read(header);
      header.flip();
      if (header.limit() < 64
          || header.getInt(0) != 0x7f454c46 // \x7fELF, read big-endian
          || header.get(4) != 2) { // ELFCLASS64
        throw new IllegalStateException(binary + " is not a 64-bit ELF executable");
      }
      header.order(header.get(5) == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
      long programHeaders = header.getLong(0x20);
      int entrySize = Short.toUnsignedInt(header.getShort(0x36));
      int count = Short.toUnsignedInt(header.getShort(0x38));
      ByteBuffer table = ByteBuffer.allocate(entrySize * count).order(header.order());
      channel.position(programHeaders);
      while (table.hasRemaining() && channel.read(table) > 0) {
        // read the whole program header table
      }
      for (int i = 0; i < count; i++) {
        if (table.getInt(i * entrySize) == PT_INTERP) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + binary, e);
    }
  }
}
