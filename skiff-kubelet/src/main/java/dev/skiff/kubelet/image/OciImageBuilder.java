package dev.skiff.kubelet.image;

import dev.skiff.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds an image archive without Docker: an OCI image layout in a tar ({@code oci-layout}, {@code
 * index.json}, {@code blobs/sha256/...}) that also carries a Docker {@code manifest.json}, the
 * combined form {@code docker save} writes, so containerd's {@code ctr images import}, {@code
 * docker load} and OCI tools all read it. Layers are gzipped tars with a fixed modification time,
 * the config has a fixed creation time: the same input always gives the same digests.
 *
 * <p>The index names the image twice: {@code io.containerd.image.name} holds the full reference
 * (which containerd uses as the image name) and {@code org.opencontainers.image.ref.name} the tag
 * (as the OCI layout and {@code docker save} have it).
 */
public final class OciImageBuilder {
  /** Modification time of every archive entry and creation time of the image. */
  public static final Instant FIXED_MTIME = Instant.ofEpochSecond(1);

  public static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
  public static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
  public static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String CONTAINERD_NAME_ANNOTATION = "io.containerd.image.name";
  public static final String OCI_REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

  private final ImageReference reference;
  private final List<Layer> layers = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Map<String, String> labels = new TreeMap<>();
  private final TreeSet<String> exposedPorts = new TreeSet<>();
  private List<String> entrypoint = List.of();
  private List<String> cmd = List.of();
  private String workingDir = "/";
  private String user = "";
  private String architecture = hostArchitecture();

  /** A builder for the image named {@code reference} (normalised, e.g. adding {@code :latest}). */
  public OciImageBuilder(String reference) {
    this.reference = ImageReference.parse(reference);
    env.put("PATH", DEFAULT_PATH);
  }

  public OciImageBuilder layer(Layer layer) {
    layers.add(layer);
    return this;
  }

  public OciImageBuilder entrypoint(String... args) {
    entrypoint = List.of(args);
    return this;
  }

  public OciImageBuilder cmd(String... args) {
    cmd = List.of(args);
    return this;
  }

  /** Sets an environment variable; {@code PATH} defaults to the usual Linux search path. */
  public OciImageBuilder env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public OciImageBuilder workingDir(String dir) {
    workingDir = dir;
    return this;
  }

  /** The user the image runs as: a name, {@code uid} or {@code uid:gid}. */
  public OciImageBuilder user(String user) {
    this.user = user;
    return this;
  }

  /** A port the image exposes: {@code 80/tcp}, {@code 53/udp}; a bare number means TCP. */
  public OciImageBuilder exposedPort(String port) {
    exposedPorts.add(port.contains("/") ? port : port + "/tcp");
    return this;
  }

  public OciImageBuilder label(String name, String value) {
    labels.put(name, value);
    return this;
  }

  /** The OCI architecture ({@code amd64}, {@code arm64}); defaults to the host's. */
  public OciImageBuilder architecture(String architecture) {
    this.architecture = architecture;
    return this;
  }

  /** Writes the archive to {@code file} (atomically, through a sibling temporary file). */
  public ImageArchive writeTo(Path file) {
    Assembled image = assemble();
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path temp = Files.createTempFile(parent, ".image-", ".tmp");
      try (OutputStream out = Files.newOutputStream(temp)) {
        image.writeArchive(out);
      }
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write image archive " + file, e);
    }
    return new ImageArchive(
        file, reference.toString(), image.manifest.digest(), image.config.digest(), image.diffIds);
  }

  /** The archive's bytes (what {@link #writeTo} writes). */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      assemble().writeArchive(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private record Blob(byte[] content) {
    String digest() {
      return "sha256:" + sha256(content);
    }

    String hex() {
      return sha256(content);
    }

    ObjectNode descriptor(String mediaType) {
      ObjectNode node = Json.object();
      node.put("mediaType", mediaType);
      node.put("digest", digest());
      node.put("size", content.length);
      return node;
    }
  }

  private final class Assembled {
    final List<Blob> layerBlobs = new ArrayList<>();
    final List<String> diffIds = new ArrayList<>();
    final Blob config;
    final Blob manifest;

    Assembled() {
      if (layers.isEmpty()) {
        throw new IllegalStateException("image " + reference + " has no layer");
      }
      for (Layer layer : layers) {
        byte[] tar = layer.tar();
        diffIds.add("sha256:" + sha256(tar));
        layerBlobs.add(new Blob(gzip(tar)));
      }
      config = new Blob(Json.bytes(configJson()));
      ObjectNode manifestJson = Json.object();
      manifestJson.put("schemaVersion", 2);
      manifestJson.put("mediaType", MANIFEST_MEDIA_TYPE);
      manifestJson.set("config", config.descriptor(CONFIG_MEDIA_TYPE));
      ArrayNode layerDescriptors = manifestJson.putArray("layers");
      layerBlobs.forEach(blob -> layerDescriptors.add(blob.descriptor(LAYER_MEDIA_TYPE)));
      manifest = new Blob(Json.bytes(manifestJson));
    }

    ObjectNode configJson() {
      ObjectNode json = Json.object();
      json.put("created", FIXED_MTIME.toString());
      json.put("architecture", architecture);
      json.put("os", "linux");
      ObjectNode runConfig = json.putObject("config");
      if (!user.isEmpty()) {
        runConfig.put("User", user);
      }
      if (!exposedPorts.isEmpty()) {
        ObjectNode ports = runConfig.putObject("ExposedPorts");
        exposedPorts.forEach(port -> ports.putObject(port));
      }
      ArrayNode envArray = runConfig.putArray("Env");
      env.forEach((name, value) -> envArray.add(name + "=" + value));
      if (!entrypoint.isEmpty()) {
        ArrayNode array = runConfig.putArray("Entrypoint");
        entrypoint.forEach(array::add);
      }
      if (!cmd.isEmpty()) {
        ArrayNode array = runConfig.putArray("Cmd");
        cmd.forEach(array::add);
      }
      runConfig.put("WorkingDir", workingDir);
      if (!labels.isEmpty()) {
        ObjectNode labelNode = runConfig.putObject("Labels");
        labels.forEach(labelNode::put);
      }
      ObjectNode rootfs = json.putObject("rootfs");
      rootfs.put("type", "layers");
      ArrayNode ids = rootfs.putArray("diff_ids");
      diffIds.forEach(ids::add);
      ArrayNode history = json.putArray("history");
      for (int i = 0; i < diffIds.size(); i++) {
        ObjectNode entry = history.addObject();
        entry.put("created", FIXED_MTIME.toString());
        entry.put("created_by", "skiff OciImageBuilder layer " + (i + 1));
      }
      return json;
    }

    void writeArchive(OutputStream out) throws IOException {
      try (TarWriter tar = new TarWriter(out)) {
        tar.file("oci-layout", 0644, Json.bytes(ociLayout()));
        tar.directory("blobs", 0755);
        tar.directory("blobs/sha256", 0755);
        for (Blob blob : layerBlobs) {
          tar.file("blobs/sha256/" + blob.hex(), 0644, blob.content());
        }
        tar.file("blobs/sha256/" + config.hex(), 0644, config.content());
        tar.file("blobs/sha256/" + manifest.hex(), 0644, manifest.content());
        tar.file("index.json", 0644, Json.bytes(index()));
        tar.file("manifest.json", 0644, Json.bytes(dockerManifest()));
      }
    }

    private ObjectNode ociLayout() {
      ObjectNode layout = Json.object();
      layout.put("imageLayoutVersion", "1.0.0");
      return layout;
    }

    private ObjectNode index() {
      ObjectNode index = Json.object();
      index.put("schemaVersion", 2);
      index.put("mediaType", INDEX_MEDIA_TYPE);
      ObjectNode descriptor = manifest.descriptor(MANIFEST_MEDIA_TYPE);
      ObjectNode annotations = descriptor.putObject("annotations");
      annotations.put(CONTAINERD_NAME_ANNOTATION, reference.toString());
      annotations.put(OCI_REF_NAME_ANNOTATION, reference.tag());
      index.putArray("manifests").add(descriptor);
      return index;
    }

    private ArrayNode dockerManifest() {
      ArrayNode list = Json.MAPPER.createArrayNode();
      ObjectNode entry = list.addObject();
      entry.put("Config", "blobs/sha256/" + config.hex());
      entry.putArray("RepoTags").add(reference.toString());
      ArrayNode layerPaths = entry.putArray("Layers");
      layerBlobs.forEach(blob -> layerPaths.add("blobs/sha256/" + blob.hex()));
      return list;
    }
  }

  private Assembled assemble() {
    return new Assembled();
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gzip(byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static String hostArchitecture() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "arm" -> "arm";
      case "ppc64le" -> "ppc64le";
      case "s390x" -> "s390x";
      case "riscv64" -> "riscv64";
      default -> System.getProperty("os.arch");
    };
  }
}
