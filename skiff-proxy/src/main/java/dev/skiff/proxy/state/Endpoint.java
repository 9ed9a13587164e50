package dev.skiff.proxy.state;

/**
 * One endpoint of a service port, from an EndpointSlice: the conditions as Kubernetes interprets
 * them (a missing ready means ready, a missing serving means the ready value, a missing terminating
 * means false) and whether it runs on this node.
 */
public record Endpoint(
    String ip, int port, boolean ready, boolean serving, boolean terminating, boolean local)
    implements Comparable<Endpoint> {

  /** {@code ip:port}. */
  @Override
  public String toString() {
    return ip + ":" + port;
  }

  @Override
  public int compareTo(Endpoint other) {
    int byIp = compareIps(ip, other.ip);
    return byIp != 0 ? byIp : Integer.compare(port, other.port);
  }

  private static int compareIps(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    if (x.length != 4 || y.length != 4) {
      return a.compareTo(b);
    }
    for (int i = 0; i < 4; i++) {
      int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
