package dev.skiff.proxy.netpol;

import dev.skiff.proxy.CommandRunner;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic between two pods on one node's bridge is switched, not routed: iptables and nftables
 * (family ip) see it only when the br_netfilter module is loaded and {@code
 * net.bridge.bridge-nf-call-iptables} is 1 (a per-network-namespace setting).
 */
public final class BridgeNetfilter {
  private static final Logger log = LoggerFactory.getLogger(BridgeNetfilter.class);
  static final String SYSCTL = "net.bridge.bridge-nf-call-iptables";

  private BridgeNetfilter() {}

  /**
   * Loads br_netfilter and turns bridge-nf-call-iptables on; returns false (and logs why) when that
   * is impossible, in which case policies still hold for routed traffic but not between pods on the
   * same bridge.
   */
  public static boolean enable(CommandRunner runner) {
    CommandRunner.Result current = runner.run(List.of("sysctl", "-n", SYSCTL), "");
    if (current.ok() && current.stdout().strip().equals("1")) {
      return true;
    }
    if (!current.ok()) {
      CommandRunner.Result modprobe = runner.run(List.of("modprobe", "br_netfilter"), "");
      if (!modprobe.ok()) {
        log.warn(
            "br_netfilter unavailable, network policies do not filter traffic between pods on"
                + " one bridge error=\"{}\"",
            modprobe.stderr().strip());
        return false;
      }
    }
    CommandRunner.Result set = runner.run(List.of("sysctl", "-w", SYSCTL + "=1"), "");
    if (!set.ok()) {
      log.warn(
          "cannot set {}=1, network policies do not filter traffic between pods on one bridge"
              + " error=\"{}\"",
          SYSCTL,
          set.stderr().strip());
      return false;
    }
    return true;
  }
}
