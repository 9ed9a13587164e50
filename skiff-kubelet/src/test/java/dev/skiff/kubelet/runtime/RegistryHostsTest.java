package dev.skiff.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryHostsTest {

  static String resource(String name) throws IOException {
    try (InputStream in = RegistryHostsTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void translatesK3sRegistriesIntoContainerdHostFiles() throws IOException {
    RegistryHosts hosts = RegistryHosts.translate(Registries.parse(resource("registries.yaml")));

    assertThat(hosts.hostsFiles())
        .containsOnlyKeys(
            "docker.io",
            "registry.local:5000",
            "_default",
            "mirror.example.com:5000",
            "private.example.org");
    assertThat(hosts.hostsFiles().get("docker.io")).isEqualTo(resource("hosts/docker.io.toml"));
    assertThat(hosts.hostsFiles().get("registry.local:5000"))
        .isEqualTo(resource("hosts/registry.local.toml"));
    assertThat(hosts.hostsFiles().get("_default")).isEqualTo(resource("hosts/_default.toml"));
    // a mirror's TLS settings also apply when its images are pulled from it directly
    assertThat(hosts.hostsFiles().get("mirror.example.com:5000"))
        .isEqualTo(resource("hosts/mirror.example.com.toml"));
    assertThat(hosts.hostsFiles().get("private.example.org"))
        .isEqualTo(resource("hosts/private.example.org.toml"));
  }

  @Test
  void credentialsGoToTheCriConfigAndRewritesAreReported() throws IOException {
    RegistryHosts hosts = RegistryHosts.translate(Registries.parse(resource("registries.yaml")));

    assertThat(hosts.auths()).containsOnlyKeys("mirror.example.com:5000", "token.example.org");
    assertThat(hosts.auths().get("mirror.example.com:5000"))
        .isEqualTo(new Registries.Auth("puller", "p@ss \"quoted\"", null, null));
    assertThat(hosts.auths().get("token.example.org").identityToken()).isEqualTo("tok");
    assertThat(hosts.warnings())
        .containsExactly(
            "registries.yaml: rewrite for registry.local:5000 is not supported by containerd 1.6"
                + " and is ignored");
  }

  @Test
  void writeReplacesTheWholeCertsDirectory(@TempDir Path dir) throws IOException {
    Path certs = dir.resolve("certs.d");
    Files.createDirectories(certs.resolve("gone.example.com"));
    Files.writeString(certs.resolve("gone.example.com/hosts.toml"), "server = \"x\"\n");

    RegistryHosts.translate(Registries.parse(resource("registries.yaml"))).write(certs);

    try (var entries = Files.list(certs)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "docker.io",
              "registry.local:5000",
              "_default",
              "mirror.example.com:5000",
              "private.example.org");
    }
    assertThat(certs.resolve("docker.io/hosts.toml")).hasContent(resource("hosts/docker.io.toml"));
  }

  @Test
  void aMissingOrEmptyFileMeansNoMirrors(@TempDir Path dir) throws IOException {
    assertThat(Registries.read(dir.resolve("registries.yaml"))).isEqualTo(Registries.EMPTY);
    Files.writeString(dir.resolve("registries.yaml"), "");
    assertThat(Registries.read(dir.resolve("registries.yaml"))).isEqualTo(Registries.EMPTY);
  }

  @Test
  void malformedYamlIsRefusedWithTheFileName() {
    assertThatThrownBy(() -> Registries.parse("mirrors: [unclosed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("registries.yaml:");
  }
}
