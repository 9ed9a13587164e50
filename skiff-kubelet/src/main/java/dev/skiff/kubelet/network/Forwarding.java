package dev.skiff.kubelet.network;

import java.util.List;
import java.util.Map;

/**
 * Kernel switches a node needs to route pod traffic: IPv4 forwarding, and bridged traffic passing
 * through iptables (so service rules apply to pods on the same bridge) where br_netfilter is
 * loaded. Both are per network namespace, so they are written from inside the node's namespace.
 */
public final class Forwarding {
  private Forwarding() {}

  public static void enable(HostCommands commands) {
    commands.run(
        List.of(
            "sh",
            "-c",
            "echo 1 > /proc/sys/net/ipv4/ip_forward; "
                + "f=/proc/sys/net/bridge/bridge-nf-call-iptables; "
                + "if [ -w $f ]; then echo 1 > $f || true; fi"),
        null,
        Map.of());
  }
}
