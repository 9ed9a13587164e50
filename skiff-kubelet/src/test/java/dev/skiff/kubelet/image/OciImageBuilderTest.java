package dev.skiff.kubelet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class OciImageBuilderTest {
  @TempDir Path dir;

  private static OciImageBuilder sample() {
    return new OciImageBuilder("example.test/tools:1.0")
        .layer(
            new Layer()
                .file("/bin/tool", "#!/bin/sh\necho hi\n", 0755)
                .directory("/tmp", 01777)
                .symlink("/usr/bin/tool", "../../bin/tool"))
        .layer(new Layer().file("/etc/motd", "hello\n", 0644))
        .entrypoint("/bin/tool")
        .cmd("--flag")
        .env("MODE", "test")
        .workingDir("/work")
        .user("65534:65534")
        .exposedPort("8080")
        .exposedPort("53/udp")
        .label("org.example", "yes")
        .architecture("amd64");
  }

  private static JsonNode json(Map<String, TarEntries.Entry> archive, String digest) {
    return Json.MAPPER.readTree(blob(archive, digest));
  }

  private static byte[] blob(Map<String, TarEntries.Entry> archive, String digest) {
    return archive.get("blobs/sha256/" + digest.substring("sha256:".length())).content();
  }

  @Test
  void archiveHasTheOciLayoutAndDockerManifest() {
    Map<String, TarEntries.Entry> archive = TarEntries.read(sample().toBytes());

    assertThat(archive.keySet())
        .contains("oci-layout", "index.json", "manifest.json", "blobs/", "blobs/sha256/")
        .filteredOn(name -> name.startsWith("blobs/sha256/") && name.length() > 13)
        .hasSize(4); // two layers, config, manifest
    assertThat(archive.get("oci-layout").text()).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");

    JsonNode index = Json.MAPPER.readTree(archive.get("index.json").content());
    assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
    JsonNode descriptor = index.path("manifests").get(0);
    assertThat(descriptor.path("mediaType").asString())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(descriptor.path("annotations").path("io.containerd.image.name").asString())
        .isEqualTo("example.test/tools:1.0");
    assertThat(descriptor.path("annotations").path("org.opencontainers.image.ref.name").asString())
        .isEqualTo("1.0");

    JsonNode manifest = json(archive, descriptor.path("digest").asString());
    JsonNode docker = Json.MAPPER.readTree(archive.get("manifest.json").content()).get(0);
    assertThat(docker.path("RepoTags").get(0).asString()).isEqualTo("example.test/tools:1.0");
    assertThat(docker.path("Config").asString())
        .isEqualTo(
            "blobs/sha256/" + manifest.path("config").path("digest").asString().substring(7));
    assertThat(docker.path("Layers")).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(docker.path("Layers").get(i).asString())
          .isEqualTo(
              "blobs/sha256/"
                  + manifest.path("layers").get(i).path("digest").asString().substring(7));
    }
  }

  @Test
  void everyDigestAndSizeMatchesItsBlob() {
    Map<String, TarEntries.Entry> archive = TarEntries.read(sample().toBytes());
    archive.forEach(
        (name, entry) -> {
          if (name.startsWith("blobs/sha256/") && entry.type() == '0') {
            assertThat(OciImageBuilder.sha256(entry.content()))
                .isEqualTo(name.substring("blobs/sha256/".length()));
          }
        });
    JsonNode descriptor =
        Json.MAPPER.readTree(archive.get("index.json").content()).path("manifests").get(0);
    String manifestDigest = descriptor.path("digest").asString();
    assertThat(descriptor.path("size").asLong()).isEqualTo(blob(archive, manifestDigest).length);

    JsonNode manifest = json(archive, manifestDigest);
    JsonNode config = json(archive, manifest.path("config").path("digest").asString());
    assertThat(manifest.path("config").path("size").asLong())
        .isEqualTo(blob(archive, manifest.path("config").path("digest").asString()).length);
    JsonNode diffIds = config.path("rootfs").path("diff_ids");
    assertThat(diffIds).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode layer = manifest.path("layers").get(i);
      assertThat(layer.path("mediaType").asString())
          .isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
      byte[] gzipped = blob(archive, layer.path("digest").asString());
      assertThat(layer.path("size").asLong()).isEqualTo(gzipped.length);
      assertThat(diffIds.get(i).asString())
          .isEqualTo("sha256:" + OciImageBuilder.sha256(TarEntries.gunzip(gzipped)));
    }
  }

  @Test
  void configCarriesTheRunSettings() {
    Map<String, TarEntries.Entry> archive = TarEntries.read(sample().toBytes());
    JsonNode manifest =
        json(
            archive,
            Json.MAPPER
                .readTree(archive.get("index.json").content())
                .path("manifests")
                .get(0)
                .path("digest")
                .asString());
    JsonNode config = json(archive, manifest.path("config").path("digest").asString());

    assertThat(config.path("architecture").asString()).isEqualTo("amd64");
    assertThat(config.path("os").asString()).isEqualTo("linux");
    assertThat(config.path("created").asString()).isEqualTo("1970-01-01T00:00:01Z");
    assertThat(config.path("rootfs").path("type").asString()).isEqualTo("layers");
    assertThat(config.path("history")).hasSize(2);
    JsonNode run = config.path("config");
    assertThat(run.path("Entrypoint").get(0).asString()).isEqualTo("/bin/tool");
    assertThat(run.path("Cmd").get(0).asString()).isEqualTo("--flag");
    assertThat(run.path("Env").valueStream().map(JsonNode::asString))
        .containsExactly(
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "MODE=test");
    assertThat(run.path("WorkingDir").asString()).isEqualTo("/work");
    assertThat(run.path("User").asString()).isEqualTo("65534:65534");
    assertThat(run.path("ExposedPorts").propertyNames()).containsExactly("53/udp", "8080/tcp");
    assertThat(run.path("Labels").path("org.example").asString()).isEqualTo("yes");
  }

  @Test
  void layerEntriesKeepModesLinksAndAFixedTime() {
    Map<String, TarEntries.Entry> layer =
        TarEntries.read(
            new Layer()
                .file("/bin/tool", "x", 0755)
                .directory("/tmp", 01777)
                .symlink("/usr/bin/tool", "../../bin/tool")
                .tar());

    assertThat(layer.keySet())
        .containsExactly("bin/", "bin/tool", "tmp/", "usr/", "usr/bin/", "usr/bin/tool");
    assertThat(layer.get("bin/tool").mode()).isEqualTo(0755);
    assertThat(layer.get("bin/tool").type()).isEqualTo('0');
    assertThat(layer.get("tmp/").mode()).isEqualTo(01777);
    assertThat(layer.get("tmp/").type()).isEqualTo('5');
    assertThat(layer.get("usr/").mode()).isEqualTo(0755);
    assertThat(layer.get("usr/bin/tool").type()).isEqualTo('2');
    assertThat(layer.get("usr/bin/tool").linkName()).isEqualTo("../../bin/tool");
    assertThat(layer.values()).allSatisfy(entry -> assertThat(entry.mtime()).isEqualTo(1));
  }

  @Test
  void sameInputGivesTheSameBytesAndDigests() {
    ImageArchive first = sample().writeTo(dir.resolve("a.tar"));
    ImageArchive second = sample().writeTo(dir.resolve("b.tar"));

    assertThat(second.manifestDigest()).isEqualTo(first.manifestDigest());
    assertThat(second.configDigest()).isEqualTo(first.configDigest());
    assertThat(second.diffIds()).isEqualTo(first.diffIds()).hasSize(2);
    assertThat(sample().toBytes()).isEqualTo(sample().toBytes());
    assertThat(first.reference()).isEqualTo("example.test/tools:1.0");
    assertThat(sample().env("MODE", "other").writeTo(dir.resolve("c.tar")).configDigest())
        .isNotEqualTo(first.configDigest());
  }

  @Test
  void writtenFileIsTheArchiveAndReadableByEveryone() throws Exception {
    ImageArchive archive = sample().writeTo(dir.resolve("sub/image.tar"));
    byte[] bytes = Files.readAllBytes(archive.file());

    assertThat(bytes).isEqualTo(sample().toBytes());
    assertThat(bytes.length % 10240).isZero();
    assertThat(Files.getPosixFilePermissions(archive.file()).toString()).contains("OTHERS_READ");
    assertThat(dir.resolve("sub")).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void longNamesUseTheUstarPrefix() {
    String path = "/" + "d".repeat(80) + "/" + "e".repeat(60) + "/file";
    Map<String, TarEntries.Entry> layer = TarEntries.read(new Layer().file(path, "x", 0644).tar());

    assertThat(layer).containsKey(path.substring(1));
  }

  @Test
  void rejectsAnImageWithoutLayersAndAFileUsedAsDirectory() {
    assertThatThrownBy(() -> new OciImageBuilder("a/b:c").toBytes())
        .hasMessageContaining("has no layer");
    assertThatThrownBy(() -> new Layer().file("/a", "x", 0644).file("/a/b", "y", 0644).tar())
        .hasMessageContaining("/a is used as a directory")
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(List.of(new Layer().file("/a/../b", "x", 0644).paths()))
        .containsExactly(List.of("b"));
  }
}
