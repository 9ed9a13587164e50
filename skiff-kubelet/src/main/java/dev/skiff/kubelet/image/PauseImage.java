package dev.skiff.kubelet.image;

import java.nio.file.Path;

/**
 * The sandbox ("pause") image, built by Skiff itself from the host's static busybox: it holds the
 * pod's namespaces open by sleeping, reaps orphaned children (busybox sh waits for any child), and
 * exits 0 on SIGTERM or SIGINT.
 */
public final class PauseImage {
  /** The name every Skiff node gives its sandbox image (containerd's {@code sandbox_image}). */
  public static final String REFERENCE = "skiff.local/pause:3.10";

  /** Sleeps in the background and waits, so the shell is free to run its trap at once. */
  static final String[] ENTRYPOINT = {
    "/bin/busybox",
    "sh",
    "-c",
    "trap 'exit 0' TERM INT; while :; do /bin/busybox sleep 3600 & wait $!; done"
  };

  private PauseImage() {}

  /** The image definition from the given static busybox binary. */
  public static OciImageBuilder builder(Path busybox) {
    Layer layer =
        new Layer()
            .hostFile("/bin/busybox", StaticBusybox.require(busybox), 0755)
            .directory("/tmp", 01777);
    return new OciImageBuilder(REFERENCE).layer(layer).entrypoint(ENTRYPOINT);
  }

  /** Writes the pause image archive built from {@code /usr/bin/busybox} to {@code file}. */
  public static ImageArchive write(Path file) {
    return builder(StaticBusybox.DEFAULT_PATH).writeTo(file);
  }
}
