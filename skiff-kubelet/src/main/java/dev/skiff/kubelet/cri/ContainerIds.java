package dev.skiff.kubelet.cri;

/**
 * The two forms of a container id: CRI calls take the runtime's bare id, Kubernetes statuses (and
 * so the probes and {@code kubectl}) show {@code <runtime>://<id>}. Both convert here only.
 */
public final class ContainerIds {
  private ContainerIds() {}

  /** The id as pod statuses show it, e.g. {@code containerd://4f2a...}. */
  public static String qualified(String runtimeName, String bareId) {
    return runtimeName + "://" + bareId;
  }

  /** The id CRI takes, from either form. */
  public static String bare(String id) {
    int scheme = id.indexOf("://");
    return scheme < 0 ? id : id.substring(scheme + 3);
  }

  /** Whether two ids, in either form, name one container. */
  public static boolean same(String a, String b) {
    return a != null && b != null && bare(a).equals(bare(b));
  }
}
