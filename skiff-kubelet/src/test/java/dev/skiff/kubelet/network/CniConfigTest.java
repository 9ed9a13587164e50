package dev.skiff.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class CniConfigTest {

  @Test
  void rendersTheBridgeAndPortmapConfigurationList() throws IOException {
    String json = CniConfig.render("10.42.3.0/24", Path.of("/var/lib/skiff/agent/cni/networks"));

    try (InputStream in = getClass().getResourceAsStream("10-skiff.conflist")) {
      assertThat(json).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void writesTheFileIntoTheConfDirectory(@TempDir Path dir) {
    Path file = CniConfig.write(dir.resolve("net.d"), "10.42.7.0/24", dir.resolve("ipam"));

    assertThat(file).isEqualTo(dir.resolve("net.d/10-skiff.conflist"));
    JsonNode written = Json.MAPPER.readTree(file.toFile());
    assertThat(
            written
                .path("plugins")
                .get(0)
                .path("ipam")
                .path("ranges")
                .get(0)
                .get(0)
                .path("subnet")
                .asString())
        .isEqualTo("10.42.7.0/24");
    assertThat(dir.resolve("ipam")).isDirectory();
    assertThat(dir.resolve("net.d")).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void anMtuIsSetOnTheBridgeForTheVxlanBackend() {
    JsonNode list = Json.MAPPER.readTree(CniConfig.render("10.42.3.0/24", Path.of("/x"), 1450));

    assertThat(list.path("plugins").get(0).path("mtu").asInt()).isEqualTo(1450);
    assertThat(
            Json.MAPPER
                .readTree(CniConfig.render("10.42.3.0/24", Path.of("/x")))
                .path("plugins")
                .get(0)
                .has("mtu"))
        .isFalse();
  }

  @Test
  void refusesSomethingThatIsNotAnIpv4Cidr() {
    assertThatThrownBy(() -> CniConfig.render("10.42.0.0", Path.of("/x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CniConfig.render("fd00::/64", Path.of("/x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
