package dev.skiff.testing.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The image archives tests import into containerd: the busybox and pause images Skiff builds from
 * Debian's busybox-static (no Docker, no download), each built once per JVM into a temporary
 * directory that is deleted at exit.
 *
 * <p>The builders live in skiff-kubelet, which itself uses this module in its tests; they are
 * looked up on the test's class path so the modules do not depend on each other in a cycle. Tests
 * using this class need skiff-kubelet on their class path.
 */
public final class TestImages {
  /** Same as {@code dev.skiff.kubelet.image.BusyboxImage.REFERENCE}. */
  public static final String BUSYBOX = "skiff.local/busybox:1.36";

  /** Same as {@code dev.skiff.kubelet.image.PauseImage.REFERENCE}. */
  public static final String PAUSE = "skiff.local/pause:3.10";

  private static Path dir;
  private static Path busybox;
  private static Path pause;

  private TestImages() {}

  /** The busybox image archive ({@link #BUSYBOX}). */
  public static synchronized Path busybox() {
    if (busybox == null) {
      busybox = build("dev.skiff.kubelet.image.BusyboxImage", "busybox.tar");
    }
    return busybox;
  }

  /** The pause image archive ({@link #PAUSE}). */
  public static synchronized Path pause() {
    if (pause == null) {
      pause = build("dev.skiff.kubelet.image.PauseImage", "pause.tar");
    }
    return pause;
  }

  private static Path build(String className, String fileName) {
    Path file = directory().resolve(fileName);
    try {
      Method write = Class.forName(className).getMethod("write", Path.class);
      write.invoke(null, file);
      return file;
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "TestImages needs skiff-kubelet on the test class path (" + className + ")", e);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException runtime
          ? runtime
          : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path directory() {
    if (dir == null) {
      try {
        dir = Files.createTempDirectory("skiff-test-images-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path created = dir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(created)));
    }
    return dir;
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at JVM exit
    }
  }
}
