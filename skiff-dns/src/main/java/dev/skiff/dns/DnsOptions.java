package dev.skiff.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * How the cluster DNS server runs.
 *
 * @param listenAddress the address to serve UDP and TCP on
 * @param port the port (53 in a cluster; 0 picks a free one, for tests)
 * @param clusterDomain the zone served, e.g. {@code cluster.local}
 * @param upstreams servers that answer names outside the cluster, tried in order; none means such
 *     names are REFUSED
 * @param ttl the TTL of every record, in seconds (CoreDNS' kubernetes plugin default: 5)
 */
public record DnsOptions(
    InetAddress listenAddress,
    int port,
    String clusterDomain,
    List<InetSocketAddress> upstreams,
    long ttl) {

  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";
  public static final long DEFAULT_TTL = 5;

  public DnsOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (ttl < 0 || ttl > 3600) {
      throw new IllegalArgumentException("ttl must be between 0 and 3600 seconds: " + ttl);
    }
    if (RecordIndex.absolute(clusterDomain) == null) {
      throw new IllegalArgumentException("invalid cluster domain: " + clusterDomain);
    }
    upstreams = List.copyOf(upstreams);
  }

  /** Loopback, a free port, cluster.local, no upstream, TTL 5: what tests want. */
  public static DnsOptions forTests() {
    return new DnsOptions(
        InetAddress.getLoopbackAddress(), 0, DEFAULT_CLUSTER_DOMAIN, List.of(), DEFAULT_TTL);
  }

  public DnsOptions withUpstreams(List<InetSocketAddress> upstreams) {
    return new DnsOptions(listenAddress, port, clusterDomain, upstreams, ttl);
  }

  /**
   * Parses {@code ADDR:PORT}, {@code [V6ADDR]:PORT} or a bare address (then {@code defaultPort}).
   * Only address literals are accepted: a DNS server must not need DNS to start.
   */
  public static InetSocketAddress parseAddress(String text, int defaultPort) {
    String host = text;
    int port = defaultPort;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("invalid address: " + text);
      }
      host = text.substring(1, close);
      if (close + 1 < text.length()) {
        port = parsePort(text, text.substring(close + 1));
      }
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      host = text.substring(0, text.indexOf(':'));
      port = parsePort(text, text.substring(text.indexOf(':')));
    }
    InetAddress address = RecordIndex.literal(host);
    if (address == null) {
      throw new IllegalArgumentException("not an IP address: " + text);
    }
    return new InetSocketAddress(address, port);
  }

  private static int parsePort(String text, String colonPort) {
    try {
      if (!colonPort.startsWith(":")) {
        throw new NumberFormatException();
      }
      int port = Integer.parseInt(colonPort.substring(1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port in address: " + text);
    }
  }
}
