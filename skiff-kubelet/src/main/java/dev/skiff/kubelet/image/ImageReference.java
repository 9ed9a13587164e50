package dev.skiff.kubelet.image;

/**
 * An image reference in containerd's fully qualified form: {@code busybox} becomes {@code
 * docker.io/library/busybox:latest}, {@code skiff.local/pause:3.10} stays as it is.
 *
 * @param name the repository with its registry, e.g. {@code skiff.local/pause}
 * @param tag the tag, e.g. {@code 3.10}
 */
public record ImageReference(String name, String tag) {
  public ImageReference {
    if (name.isEmpty() || tag.isEmpty()) {
      throw new IllegalArgumentException("image reference needs a name and a tag");
    }
  }

  /** Parses {@code [registry/]repository[:tag]} the way Docker normalises names. */
  public static ImageReference parse(String reference) {
    if (reference.isBlank() || reference.contains("@") || reference.contains(" ")) {
      throw new IllegalArgumentException("not a tagged image reference: '" + reference + "'");
    }
    String name = reference;
    String tag = "latest";
    int colon = reference.lastIndexOf(':');
    if (colon > reference.lastIndexOf('/')) {
      name = reference.substring(0, colon);
      tag = reference.substring(colon + 1);
    }
    int slash = name.indexOf('/');
    String first = slash < 0 ? "" : name.substring(0, slash);
    boolean hasRegistry =
        slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
    if (!hasRegistry) {
      name = "docker.io/" + (slash < 0 ? "library/" + name : name);
    }
    return new ImageReference(name, tag);
  }

  @Override
  public String toString() {
    return name + ":" + tag;
  }
}
