package dev.skiff.kubelet.config;

import io.fabric8.kubernetes.api.model.HostAlias;
import java.util.List;

/**
 * The {@code /etc/hosts} Kubernetes writes for each pod: localhost entries and the pod's own name
 * (with its FQDN when it has a subdomain), or the node's hosts file for hostNetwork pods; then the
 * pod's {@code hostAliases}.
 */
public final class EtcHosts {
  private EtcHosts() {}

  public static String managed(
      List<String> podIps, String hostname, String domain, List<HostAlias> aliases) {
    StringBuilder out = new StringBuilder("# Kubernetes-managed hosts file.\n");
    out.append("127.0.0.1\tlocalhost\n");
    out.append("::1\tlocalhost ip6-localhost ip6-loopback\n");
    out.append("fe00::0\tip6-localnet\n");
    out.append("fe00::0\tip6-mcastprefix\n");
    out.append("fe00::1\tip6-allnodes\n");
    out.append("fe00::2\tip6-allrouters\n");
    for (String ip : podIps) {
      if (domain.isEmpty()) {
        out.append(ip).append('\t').append(hostname).append('\n');
      } else {
        out.append(ip).append('\t').append(hostname).append('.').append(domain).append('\t');
        out.append(hostname).append('\n');
      }
    }
    return out.append(aliases(aliases)).toString();
  }

  public static String hostNetwork(String nodeHostsFile, List<HostAlias> aliases) {
    return "# Kubernetes-managed hosts file (host network).\n" + nodeHostsFile + aliases(aliases);
  }

  private static String aliases(List<HostAlias> aliases) {
    if (aliases == null || aliases.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("\n# Entries added by HostAliases.\n");
    for (HostAlias alias : aliases) {
      out.append(alias.getIp())
          .append('\t')
          .append(
              String.join("\t", alias.getHostnames() == null ? List.of() : alias.getHostnames()))
          .append('\n');
    }
    return out.toString();
  }
}
