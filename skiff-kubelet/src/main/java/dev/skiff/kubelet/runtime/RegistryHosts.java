package dev.skiff.kubelet.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Translates k3s' registries.yaml into what containerd 1.6 reads: one {@code hosts.toml} per
 * registry under {@code certs.d/<registry>/} (mirrors as {@code [host."<endpoint>"]} entries tried
 * in order before the registry's own server, TLS settings of each endpoint's host), and the
 * credentials, which containerd 1.6 only takes from the CRI plugin's {@code registry.configs}.
 *
 * <p>The {@code *} mirror becomes containerd's {@code _default} directory, which applies to every
 * registry without a directory of its own. Rewrites cannot be expressed in containerd 1.6's host
 * configuration; they are reported as warnings and not applied.
 *
 * @param hostsFiles directory name under certs.d to hosts.toml content
 * @param auths registry host to credentials
 * @param warnings what could not be translated
 */
public record RegistryHosts(
    Map<String, String> hostsFiles, Map<String, Registries.Auth> auths, List<String> warnings) {

  public RegistryHosts {
    hostsFiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hostsFiles));
    auths = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(auths));
    warnings = List.copyOf(warnings);
  }

  public static RegistryHosts translate(Registries registries) {
    Map<String, String> files = new LinkedHashMap<>();
    Map<String, Registries.Auth> auths = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (var entry : registries.mirrors().entrySet()) {
      String registry = entry.getKey();
      Registries.Mirror mirror = entry.getValue();
      files.put(directory(registry), hostsToml(registry, mirror.endpoints(), registries));
      if (!mirror.rewrites().isEmpty()) {
        warnings.add(
            "registries.yaml: rewrite for "
                + registry
                + " is not supported by containerd 1.6 and is ignored");
      }
    }
    for (var entry : registries.configs().entrySet()) {
      String host = hostOf(entry.getKey());
      Registries.HostConfig config = entry.getValue();
      if (config.tls() != null && !files.containsKey(directory(host))) {
        files.put(directory(host), hostsToml(host, List.of(), registries));
      }
      if (config.auth() != null) {
        auths.put(host, config.auth());
      }
    }
    return new RegistryHosts(files, auths, warnings);
  }

  /**
   * Replaces the contents of {@code certsDir} with these files, so a registry removed from
   * registries.yaml stops being mirrored.
   */
  public void write(Path certsDir) {
    try {
      if (Files.exists(certsDir)) {
        try (Stream<Path> old = Files.walk(certsDir)) {
          for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      Files.createDirectories(certsDir);
      for (var file : hostsFiles.entrySet()) {
        Path dir = certsDir.resolve(file.getKey());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("hosts.toml"), file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hostsToml(String registry, List<String> endpoints, Registries registries) {
    StringBuilder toml = new StringBuilder();
    String server = defaultServer(registry);
    if (server != null) {
      toml.append("server = ").append(Toml.string(server)).append('\n');
      tls(toml, registries.configs().get(registry), "");
    }
    for (String endpoint : endpoints) {
      String url = endpoint.contains("://") ? endpoint : "https://" + endpoint;
      if (url.equals(server)) {
        continue; // the registry itself is the server, tried last anyway
      }
      if (!toml.isEmpty()) {
        toml.append('\n');
      }
      toml.append("[host.").append(Toml.string(url)).append("]\n");
      toml.append("  capabilities = [\"pull\", \"resolve\"]\n");
      tls(toml, registries.configs().get(hostOf(url)), "  ");
    }
    return toml.toString();
  }

  private static void tls(StringBuilder toml, Registries.HostConfig config, String indent) {
    if (config == null || config.tls() == null) {
      return;
    }
    Registries.Tls tls = config.tls();
    if (tls.insecureSkipVerify()) {
      toml.append(indent).append("skip_verify = true\n");
    }
    if (tls.caFile() != null) {
      toml.append(indent).append("ca = ").append(Toml.string(tls.caFile())).append('\n');
    }
    if (tls.certFile() != null && tls.keyFile() != null) {
      toml.append(indent)
          .append("client = [")
          .append(Toml.strings(List.of(tls.certFile(), tls.keyFile())))
          .append("]\n");
    } else if (tls.certFile() != null) {
      toml.append(indent).append("client = ").append(Toml.string(tls.certFile())).append('\n');
    }
  }

  /** The registry's own endpoint, as containerd would use without a hosts.toml. */
  private static String defaultServer(String registry) {
    if (registry.equals("*")) {
      return null;
    }
    if (registry.equals("docker.io")) {
      return "https://registry-1.docker.io";
    }
    return "https://" + registry;
  }

  private static String directory(String registry) {
    return registry.equals("*") ? "_default" : registry;
  }

  /** {@code host[:port]} of a URL or of a bare host name. */
  static String hostOf(String hostOrUrl) {
    if (!hostOrUrl.contains("://")) {
      int slash = hostOrUrl.indexOf('/');
      return slash < 0 ? hostOrUrl : hostOrUrl.substring(0, slash);
    }
    URI uri = URI.create(hostOrUrl);
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }
}
