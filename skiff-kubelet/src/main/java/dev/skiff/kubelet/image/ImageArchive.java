package dev.skiff.kubelet.image;

import java.nio.file.Path;
import java.util.List;

/**
 * An image archive written by {@link OciImageBuilder}.
 *
 * @param file the archive on disk
 * @param reference the fully qualified name the archive carries, e.g. {@code
 *     skiff.local/pause:3.10}
 * @param manifestDigest {@code sha256:...} of the image manifest (what containerd reports as the
 *     image's digest)
 * @param configDigest {@code sha256:...} of the image config (the image id CRI reports)
 * @param diffIds {@code sha256:...} of each uncompressed layer
 */
public record ImageArchive(
    Path file, String reference, String manifestDigest, String configDigest, List<String> diffIds) {
  public ImageArchive {
    diffIds = List.copyOf(diffIds);
  }
}
