package dev.skiff.scheduler.framework;

/** A host port a container asks for; an empty or 0.0.0.0 ip means every address. */
public record HostPort(String ip, String protocol, int port) {
  public static final String ANY_IP = "0.0.0.0";

  public HostPort {
    ip = ip == null || ip.isEmpty() ? ANY_IP : ip;
    protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
  }

  public boolean conflictsWith(HostPort other) {
    return port == other.port
        && protocol.equals(other.protocol)
        && (ip.equals(ANY_IP) || other.ip.equals(ANY_IP) || ip.equals(other.ip));
  }
}
