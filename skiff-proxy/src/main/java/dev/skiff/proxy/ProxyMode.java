package dev.skiff.proxy;

import java.util.Locale;

/** How the proxy routes service traffic ({@code --proxy-mode}). */
public enum ProxyMode {
  IPTABLES,
  NFTABLES,
  USERSPACE;

  /** The flag value: {@code iptables}, {@code nftables} or {@code userspace}. */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ProxyMode parse(String flag) {
    for (ProxyMode mode : values()) {
      if (mode.flag().equals(flag)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown proxy mode " + flag + " (expected iptables, nftables or userspace)");
  }
}
