package dev.skiff.kubelet.config;

import dev.skiff.kubelet.cri.v1.DNSConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod's resolver configuration as Kubernetes computes it from {@code dnsPolicy}: ClusterFirst
 * (cluster DNS servers, the {@code <ns>.svc.<domain>}, {@code svc.<domain>}, {@code <domain>}
 * searches before the host's, {@code ndots:5}; the host's config for hostNetwork pods),
 * ClusterFirstWithHostNet (cluster DNS even with hostNetwork), Default (the host's resolv.conf) and
 * None (nothing); then {@code spec.dnsConfig} appended, and the result cut to the resolver's limits
 * (3 servers, 32 searches, 2048 characters).
 */
public final class DnsConfigs {
  private static final Logger log = LoggerFactory.getLogger(DnsConfigs.class);
  static final int MAX_NAMESERVERS = 3;
  static final int MAX_SEARCH_PATHS = 32;
  static final int MAX_SEARCH_CHARS = 2048;
  static final int MAX_DOMAIN_LENGTH = 253;

  /** The parsed host resolv.conf. */
  public record ResolvConf(List<String> servers, List<String> searches, List<String> options) {
    public ResolvConf {
      servers = List.copyOf(servers);
      searches = List.copyOf(searches);
      options = List.copyOf(options);
    }

    public static ResolvConf read(Path path) {
      try {
        return parse(Files.readString(path, StandardCharsets.UTF_8));
      } catch (NoSuchFileException e) {
        log.warn("resolv.conf missing path={}", path);
        return new ResolvConf(List.of(), List.of(), List.of());
      } catch (IOException e) {
        log.warn("resolv.conf unreadable path={} error={}", path, e.toString());
        return new ResolvConf(List.of(), List.of(), List.of());
      }
    }

    public static ResolvConf parse(String content) {
      List<String> servers = new ArrayList<>();
      List<String> searches = new ArrayList<>();
      Map<String, String> options = new LinkedHashMap<>();
      for (String rawLine : content.split("\n")) {
        String line = rawLine.strip();
        if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
          continue;
        }
        String[] fields = line.split("\\s+");
        switch (fields[0]) {
          case "nameserver" -> {
            if (fields.length > 1) {
              servers.add(fields[1]);
            }
          }
          case "search" -> {
            searches.clear();
            for (int i = 1; i < fields.length; i++) {
              if (!fields[i].equals(".")) {
                searches.add(
                    fields[i].endsWith(".")
                        ? fields[i].substring(0, fields[i].length() - 1)
                        : fields[i]);
              }
            }
          }
          case "options" -> {
            for (int i = 1; i < fields.length; i++) {
              options.put(optionName(fields[i]), fields[i]);
            }
          }
          default -> {}
        }
      }
      return new ResolvConf(servers, searches, List.copyOf(options.values()));
    }
  }

  private final List<String> clusterDns;
  private final String clusterDomain;
  private final ResolvConf host;

  public DnsConfigs(List<String> clusterDns, String clusterDomain, ResolvConf host) {
    this.clusterDns = List.copyOf(clusterDns);
    this.clusterDomain = clusterDomain;
    this.host = host;
  }

  public DNSConfig forPod(Pod pod) {
    String policy =
        pod.getSpec().getDnsPolicy() == null ? "ClusterFirst" : pod.getSpec().getDnsPolicy();
    boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    List<String> servers = new ArrayList<>(host.servers());
    List<String> searches = new ArrayList<>(host.searches());
    List<String> options = new ArrayList<>(host.options());
    boolean cluster =
        switch (policy) {
          case "ClusterFirstWithHostNet" -> true;
          case "ClusterFirst" -> !hostNetwork;
          default -> false;
        };
    if (cluster && clusterDns.isEmpty()) {
      log.warn(
          "pod uses ClusterFirst DNS but the kubelet has no cluster DNS; using the host's"
              + " pod={}/{}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName());
      cluster = false;
    }
    if ("None".equals(policy)) {
      servers.clear();
      searches.clear();
      options.clear();
    } else if (cluster) {
      servers = new ArrayList<>(clusterDns);
      searches = clusterSearches(pod.getMetadata().getNamespace(), searches);
      options = new ArrayList<>(List.of("ndots:5"));
    }
    PodDNSConfig podConfig = pod.getSpec().getDnsConfig();
    if (podConfig != null) {
      if (podConfig.getNameservers() != null) {
        servers.addAll(podConfig.getNameservers());
      }
      if (podConfig.getSearches() != null) {
        searches.addAll(podConfig.getSearches());
      }
      options = mergeOptions(options, podConfig.getOptions());
    }
    servers = new ArrayList<>(new LinkedHashSet<>(servers));
    searches = new ArrayList<>(new LinkedHashSet<>(searches));
    if (servers.size() > MAX_NAMESERVERS) {
      servers = servers.subList(0, MAX_NAMESERVERS);
    }
    return DNSConfig.newBuilder()
        .addAllServers(servers)
        .addAllSearches(fitSearches(searches))
        .addAllOptions(options)
        .build();
  }

  private List<String> clusterSearches(String namespace, List<String> hostSearches) {
    if (clusterDomain == null || clusterDomain.isEmpty()) {
      return hostSearches;
    }
    List<String> searches = new ArrayList<>();
    searches.add(namespace + ".svc." + clusterDomain);
    searches.add("svc." + clusterDomain);
    searches.add(clusterDomain);
    searches.addAll(hostSearches);
    return new ArrayList<>(new LinkedHashSet<>(searches));
  }

  /** Options by name; the pod's replace same-named ones, a value-less option is just its name. */
  static List<String> mergeOptions(List<String> existing, List<PodDNSConfigOption> podOptions) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (String option : existing) {
      int colon = option.indexOf(':');
      byName.put(
          colon < 0 ? option : option.substring(0, colon),
          colon < 0 ? "" : option.substring(colon + 1));
    }
    if (podOptions != null) {
      for (PodDNSConfigOption option : podOptions) {
        byName.put(option.getName(), option.getValue() == null ? "" : option.getValue());
      }
    }
    List<String> merged = new ArrayList<>();
    byName.forEach((name, value) -> merged.add(value.isEmpty() ? name : name + ":" + value));
    return merged;
  }

  static List<String> fitSearches(List<String> searches) {
    List<String> fitted =
        new ArrayList<>(
            searches.size() > MAX_SEARCH_PATHS ? searches.subList(0, MAX_SEARCH_PATHS) : searches);
    fitted.removeIf(search -> search.length() > MAX_DOMAIN_LENGTH);
    int length = String.join(" ", fitted).length();
    while (length > MAX_SEARCH_CHARS && !fitted.isEmpty()) {
      String removed = fitted.remove(fitted.size() - 1);
      length -= removed.length() + 1;
    }
    return fitted;
  }

  private static String optionName(String option) {
    int colon = option.indexOf(':');
    return colon < 0 ? option : option.substring(0, colon);
  }
}
