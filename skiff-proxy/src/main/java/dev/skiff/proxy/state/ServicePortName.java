package dev.skiff.proxy.state;

import java.util.Comparator;
import java.util.Locale;

/**
 * One port of one Service, Kubernetes' {@code ServicePortName}: namespace, name, port name and
 * protocol (TCP, UDP or SCTP).
 */
public record ServicePortName(String namespace, String name, String port, String protocol)
    implements Comparable<ServicePortName> {

  private static final Comparator<ServicePortName> ORDER =
      Comparator.comparing(ServicePortName::namespace)
          .thenComparing(ServicePortName::name)
          .thenComparing(ServicePortName::port)
          .thenComparing(ServicePortName::protocol);

  public ServicePortName {
    port = port == null ? "" : port;
  }

  /** The lower-case protocol as iptables and nft spell it ({@code tcp}). */
  public String lowerProtocol() {
    return protocol.toLowerCase(Locale.ROOT);
  }

  /** {@code namespace/name:port}, or {@code namespace/name} for an unnamed port, as Kubernetes. */
  @Override
  public String toString() {
    return namespace + "/" + name + (port.isEmpty() ? "" : ":" + port);
  }

  @Override
  public int compareTo(ServicePortName other) {
    return ORDER.compare(this, other);
  }
}
