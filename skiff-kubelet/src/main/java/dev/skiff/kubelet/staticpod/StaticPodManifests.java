package dev.skiff.kubelet.staticpod;

import dev.skiff.api.Json;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Toleration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;

/**
 * Reads static pod manifests: every file of the manifest directory whose name does not start with a
 * dot (or the one file the path names), each holding one or more pods as YAML or JSON documents. A
 * pod gets what Kubernetes' file source gives it: the name suffixed with {@code -<nodeName>}, the
 * default namespace when it has none, {@code spec.nodeName}, a uid hashed from its content, the
 * node and the file, the {@code kubernetes.io/config.hash} and {@code config.source=file}
 * annotations, a toleration of every NoExecute taint, and phase Pending. Documents that are not a
 * valid pod are skipped with a log line, as are later duplicates of a name.
 */
public final class StaticPodManifests {
  private static final Logger LOG = LoggerFactory.getLogger(StaticPodManifests.class);

  public static final String CONFIG_SOURCE = "kubernetes.io/config.source";
  public static final String CONFIG_HASH = "kubernetes.io/config.hash";
  public static final String CONFIG_SEEN = "kubernetes.io/config.seen";
  public static final String CONFIG_MIRROR = "kubernetes.io/config.mirror";
  public static final String FILE_SOURCE = "file";

  private StaticPodManifests() {}

  /** The files under {@code path} that hold manifests, in name order; empty when it is absent. */
  public static List<Path> files(Path path) {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries
          .filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      LOG.warn("static pod manifests unreadable path={} error={}", path, e.toString());
      return List.of();
    }
  }

  /** The static pods of every manifest under {@code path}, for the node {@code nodeName}. */
  public static List<Pod> read(Path path, String nodeName) {
    List<Pod> pods = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Path file : files(path)) {
      for (Pod pod : readFile(file, nodeName)) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        if (!names.add(key)) {
          LOG.warn("static pod skipped: duplicate name pod={} file={}", key, file);
          continue;
        }
        pods.add(pod);
      }
    }
    return pods;
  }

  /** The pods of one manifest file. */
  static List<Pod> readFile(Path file, String nodeName) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("static pod manifest unreadable file={} error={}", file, e.toString());
      return List.of();
    }
    List<JsonNode> documents = new ArrayList<>();
    try {
      if (text.stripLeading().startsWith("{")) {
        try (MappingIterator<JsonNode> it =
            Json.MAPPER.readerFor(JsonNode.class).readValues(text)) {
          it.forEachRemaining(documents::add);
        }
      } else {
        try (MappingIterator<JsonNode> it = Json.YAML.readerFor(JsonNode.class).readValues(text)) {
          it.forEachRemaining(documents::add);
        }
      }
    } catch (JacksonException e) {
      LOG.warn(
          "static pod manifest invalid file={} error={}", file, e.getOriginalMessage().strip());
      return List.of();
    }
    List<Pod> pods = new ArrayList<>();
    for (JsonNode document : documents) {
      if (document == null || document.isNull() || document.isMissingNode()) {
        continue;
      }
      String problem = problem(document);
      if (problem != null) {
        LOG.warn("static pod skipped file={} reason=\"{}\"", file, problem);
        continue;
      }
      Pod pod;
      try {
        pod = Json.MAPPER.treeToValue(document, Pod.class);
      } catch (JacksonException e) {
        LOG.warn("static pod skipped file={} error={}", file, e.getOriginalMessage().strip());
        continue;
      }
      pods.add(applyDefaults(pod, file, nodeName));
    }
    return pods;
  }

  /** Why a document is not a pod the kubelet can run, or null. */
  private static String problem(JsonNode document) {
    if (!document.isObject()) {
      return "not an object";
    }
    String kind = document.path("kind").asString("");
    if (!kind.equals("Pod")) {
      return "kind is \"" + kind + "\", not Pod";
    }
    String apiVersion = document.path("apiVersion").asString("");
    if (!apiVersion.equals("v1")) {
      return "apiVersion is \"" + apiVersion + "\", not v1";
    }
    if (document.path("metadata").path("name").asString("").isEmpty()) {
      return "metadata.name is required";
    }
    JsonNode containers = document.path("spec").path("containers");
    if (!containers.isArray() || containers.isEmpty()) {
      return "spec.containers is required";
    }
    for (JsonNode c : containers) {
      if (c.path("name").asString("").isEmpty() || c.path("image").asString("").isEmpty()) {
        return "every container needs a name and an image";
      }
    }
    return null;
  }

  private static Pod applyDefaults(Pod pod, Path file, String nodeName) {
    if (pod.getMetadata().getUid() == null || pod.getMetadata().getUid().isEmpty()) {
      pod.getMetadata().setUid(uid(pod, file, nodeName));
    }
    pod.getMetadata().setName(podName(pod.getMetadata().getName(), nodeName));
    if (pod.getMetadata().getNamespace() == null || pod.getMetadata().getNamespace().isEmpty()) {
      pod.getMetadata().setNamespace("default");
    }
    pod.getSpec().setNodeName(nodeName);
    Map<String, String> annotations =
        pod.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(pod.getMetadata().getAnnotations());
    annotations.put(CONFIG_HASH, pod.getMetadata().getUid());
    annotations.put(CONFIG_SOURCE, FILE_SOURCE);
    pod.getMetadata().setAnnotations(annotations);
    List<Toleration> tolerations =
        pod.getSpec().getTolerations() == null
            ? new ArrayList<>()
            : new ArrayList<>(pod.getSpec().getTolerations());
    boolean toleratesNoExecute =
        tolerations.stream()
            .anyMatch(
                t ->
                    "Exists".equals(t.getOperator())
                        && (t.getKey() == null || t.getKey().isEmpty())
                        && "NoExecute".equals(t.getEffect()));
    if (!toleratesNoExecute) {
      Toleration all = new Toleration();
      all.setOperator("Exists");
      all.setEffect("NoExecute");
      tolerations.add(all);
    }
    pod.getSpec().setTolerations(tolerations);
    PodStatus status = new PodStatus();
    status.setPhase("Pending");
    pod.setStatus(status);
    return pod;
  }

  /** The static pod's name: the manifest's, then a dash and the node's name in lower case. */
  public static String podName(String manifestName, String nodeName) {
    return manifestName + "-" + nodeName.toLowerCase(Locale.ROOT);
  }

  /** A hash of the pod as written, the node and the file: the same manifest keeps its uid. */
  static String uid(Pod pod, Path file, String nodeName) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(Json.MAPPER.writeValueAsBytes(pod));
      md5.update(("host:" + nodeName).getBytes(StandardCharsets.UTF_8));
      md5.update(("file:" + file.toAbsolutePath()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md5.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A pod the kubelet runs from a manifest (config.source is not the API). */
  public static boolean isStaticPod(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null && FILE_SOURCE.equals(annotations.get(CONFIG_SOURCE));
  }

  /** A pod in the API that mirrors a static pod. */
  public static boolean isMirrorPod(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(CONFIG_MIRROR);
  }
}
