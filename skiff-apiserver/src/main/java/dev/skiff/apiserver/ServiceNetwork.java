package dev.skiff.apiserver;

import dev.skiff.apiserver.registry.core.ClusterIpAllocator;

/**
 * The service network a control plane serves ({@code --service-cidr}, {@code --cluster-dns}): the
 * range cluster IPs come from, the {@code default/kubernetes} Service's IP (its first address) and
 * the {@code kube-system/kube-dns} Service's IP, which agents give pods as their nameserver.
 *
 * @param serviceCidr an IPv4 CIDR, e.g. "10.43.0.0/16"
 * @param clusterDns a host address of the range other than the first
 */
public record ServiceNetwork(String serviceCidr, String clusterDns) {
  public static final String DEFAULT_SERVICE_CIDR = "10.43.0.0/16";

  public ServiceNetwork {
    long[] range = range(serviceCidr);
    long dns = parse(clusterDns, "--cluster-dns");
    if (dns <= range[0] || dns >= range[0] + range[1] - 1) {
      throw new IllegalArgumentException(
          "--cluster-dns "
              + clusterDns
              + " is not a host address of --service-cidr "
              + serviceCidr);
    }
    if (dns == range[0] + 1) {
      throw new IllegalArgumentException(
          "--cluster-dns "
              + clusterDns
              + " is the first address of --service-cidr, which the kubernetes Service takes");
    }
  }

  /** 10.43.0.0/16 with the cluster DNS at 10.43.0.10, as k3s. */
  public static ServiceNetwork defaults() {
    return of(DEFAULT_SERVICE_CIDR, null);
  }

  /**
   * The network for these flags; without a cluster DNS IP, the tenth address of the range (k3s'
   * rule, 10.43.0.10 for the default range).
   */
  public static ServiceNetwork of(String serviceCidr, String clusterDns) {
    String cidr = serviceCidr == null || serviceCidr.isBlank() ? DEFAULT_SERVICE_CIDR : serviceCidr;
    if (clusterDns == null || clusterDns.isBlank()) {
      long[] range = range(cidr);
      if (range[1] <= 11) {
        throw new IllegalArgumentException(
            "--service-cidr " + cidr + " is too small for the default --cluster-dns (its .10)");
      }
      return new ServiceNetwork(cidr, format(range[0] + 10));
    }
    return new ServiceNetwork(cidr, clusterDns);
  }

  /** The {@code default/kubernetes} Service's IP: the first address of the range. */
  public String kubernetesServiceIp() {
    return format(range(serviceCidr)[0] + 1);
  }

  /** {base, size} of the range; throws IllegalArgumentException on anything but an IPv4 CIDR. */
  private static long[] range(String cidr) {
    String[] parts = cidr.split("/", -1);
    if (parts.length != 2 || !parts[1].matches("\\d{1,2}")) {
      throw new IllegalArgumentException("--service-cidr " + cidr + " is not an IPv4 CIDR");
    }
    int bits = Integer.parseInt(parts[1]);
    if (bits < 8 || bits > 30) {
      throw new IllegalArgumentException(
          "--service-cidr " + cidr + ": the prefix length must be between 8 and 30");
    }
    long size = 1L << (32 - bits);
    long address = parse(parts[0], "--service-cidr");
    return new long[] {address & ~(size - 1), size};
  }

  private static long parse(String ip, String flag) {
    long address = ip == null ? -1 : ClusterIpAllocator.parse(ip);
    if (address < 0) {
      throw new IllegalArgumentException(flag + " " + ip + " is not an IPv4 address");
    }
    return address;
  }

  private static String format(long address) {
    return ClusterIpAllocator.format(address);
  }
}
