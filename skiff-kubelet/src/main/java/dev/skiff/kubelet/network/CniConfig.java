package dev.skiff.kubelet.network;

import dev.skiff.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CNI network configuration list containerd uses for this node's pods: a bridge with the node's
 * podCIDR handed out by host-local IPAM, and portmap for hostPorts. Loopback is set up by
 * containerd itself. Masquerading is left to {@link Masquerade} (one rule for the whole cluster
 * CIDR instead of one per pod).
 */
public final class CniConfig {
  public static final String FILE_NAME = "10-skiff.conflist";
  public static final String NETWORK_NAME = "skiff";
  public static final String BRIDGE = "skiff0";

  /** Debian 12's containernetworking-plugins 1.1 and containerd 1.6 both speak CNI 1.0.0. */
  public static final String CNI_VERSION = "1.0.0";

  private CniConfig() {}

  /**
   * Writes {@code <confDir>/10-skiff.conflist} atomically and returns its path.
   *
   * @param podCidr the node's spec.podCIDR
   * @param ipamDataDir where host-local keeps its leases (one per node, never shared)
   */
  public static Path write(Path confDir, String podCidr, Path ipamDataDir) {
    return write(confDir, podCidr, ipamDataDir, 0);
  }

  /**
   * As {@link #write(Path, String, Path)}, with the pod interfaces' MTU (0: the kernel's default);
   * the vxlan backend needs room for its 50-byte header.
   */
  public static Path write(Path confDir, String podCidr, Path ipamDataDir, int mtu) {
    Path file = confDir.resolve(FILE_NAME);
    try {
      Files.createDirectories(confDir);
      Files.createDirectories(ipamDataDir);
      Path tmp = confDir.resolve("." + FILE_NAME + ".tmp");
      Files.writeString(tmp, render(podCidr, ipamDataDir, mtu), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The configuration list as JSON text. */
  public static String render(String podCidr, Path ipamDataDir) {
    return render(podCidr, ipamDataDir, 0);
  }

  /** The configuration list as JSON text, with an MTU for the bridge and pod interfaces. */
  public static String render(String podCidr, Path ipamDataDir, int mtu) {
    Cidr.parse(podCidr); // refuses anything that is not an IPv4 CIDR
    ObjectNode list = Json.MAPPER.createObjectNode();
    list.put("cniVersion", CNI_VERSION);
    list.put("name", NETWORK_NAME);
    ArrayNode plugins = list.putArray("plugins");

    ObjectNode bridge = plugins.addObject();
    bridge.put("type", "bridge");
    bridge.put("bridge", BRIDGE);
    bridge.put("isGateway", true);
    bridge.put("ipMasq", false);
    bridge.put("hairpinMode", true);
    if (mtu > 0) {
      bridge.put("mtu", mtu);
    }
    ObjectNode ipam = bridge.putObject("ipam");
    ipam.put("type", "host-local");
    ipam.put("dataDir", ipamDataDir.toString());
    ipam.putArray("ranges").addArray().addObject().put("subnet", podCidr);
    ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");

    ObjectNode portmap = plugins.addObject();
    portmap.put("type", "portmap");
    portmap.putObject("capabilities").put("portMappings", true);
    portmap.put("snat", true);

    return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(list) + "\n";
  }
}
