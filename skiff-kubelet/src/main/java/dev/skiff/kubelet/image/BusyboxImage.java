package dev.skiff.kubelet.image;

import java.nio.file.Path;

/**
 * A small general-purpose image for tests and examples, built from the host's static busybox: every
 * applet linked under /bin ({@code sh}, {@code ls}, {@code wget}, {@code httpd}, {@code nc}, ...),
 * {@code root} and {@code nobody} in /etc/passwd and /etc/group, a world-writable /tmp. Its command
 * is {@code sh}.
 */
public final class BusyboxImage {
  public static final String REFERENCE = "skiff.local/busybox:1.36";

  private static final String PASSWD =
      """
      root:x:0:0:root:/root:/bin/sh
      nobody:x:65534:65534:nobody:/nonexistent:/bin/false
      """;
  private static final String GROUP =
      """
      root:x:0:
      nobody:x:65534:
      """;

  private BusyboxImage() {}

  /** The image definition from the given static busybox binary. */
  public static OciImageBuilder builder(Path busybox) {
    return builder(busybox, REFERENCE);
  }

  /** The same image under another name (for variants such as another user). */
  public static OciImageBuilder builder(Path busybox, String reference) {
    Layer layer =
        new Layer()
            .hostFile("/bin/busybox", StaticBusybox.require(busybox), 0755)
            .file("/etc/passwd", PASSWD, 0644)
            .file("/etc/group", GROUP, 0644)
            .directory("/root", 0700)
            .directory("/tmp", 01777)
            .directory("/var/www", 0755);
    for (String applet : StaticBusybox.applets(busybox)) {
      layer.symlink("/bin/" + applet, "busybox");
    }
    return new OciImageBuilder(reference).layer(layer).cmd("sh");
  }

  /** Writes the busybox image archive built from {@code /usr/bin/busybox} to {@code file}. */
  public static ImageArchive write(Path file) {
    return builder(StaticBusybox.DEFAULT_PATH).writeTo(file);
  }
}
