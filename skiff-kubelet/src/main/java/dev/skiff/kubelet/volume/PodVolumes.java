package dev.skiff.kubelet.volume;

import dev.skiff.kubelet.pod.PodConfigException;
import dev.skiff.kubelet.volume.AtomicWriter.FileProjection;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.ConfigMapVolumeSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes of the pods on this node, under {@code <podsRoot>/<uid>/volumes/<plugin>/<name>} as
 * Kubernetes lays them out: emptyDir (a directory, or a tmpfs for medium Memory), hostPath (with
 * its type check), configMap, secret, downwardAPI and projected (written with {@link AtomicWriter};
 * secret, downwardAPI and projected on a tmpfs, as Kubernetes keeps them off disk), and
 * persistentVolumeClaim / generic ephemeral volumes bound to hostPath or local volumes.
 */
public final class PodVolumes {
  private static final Logger log = LoggerFactory.getLogger(PodVolumes.class);
  private static final int DEFAULT_MODE = 0644;
  private static final long DEFAULT_TOKEN_SECONDS = 3600;

  private final Path podsRoot;
  private final KubernetesClient client;
  private final Map<String, Quantity> allocatable;
  private final ServiceAccountTokens tokens;
  private final Mounts mounts;
  private final InstantSource clock;
  private final Map<String, Map<String, MountedVolume>> podVolumes = new ConcurrentHashMap<>();
  private final LocalPathVolumes localPath;

  public PodVolumes(
      Path podsRoot,
      KubernetesClient client,
      Map<String, Quantity> allocatable,
      ServiceAccountTokens tokens,
      Mounts mounts,
      InstantSource clock) {
    this.podsRoot = podsRoot;
    this.client = client;
    this.allocatable = Map.copyOf(allocatable);
    this.tokens = tokens;
    this.mounts = mounts;
    this.clock = clock;
    this.localPath =
        new LocalPathVolumes(
            podsRoot.resolveSibling("local-path-volumes"),
            LocalPathVolumes.existsIn(client),
            clock,
            Duration.ofSeconds(30));
  }

  public Path podDir(String podUid) {
    return podsRoot.resolve(podUid);
  }

  /**
   * Sets up (or refreshes) every volume of the pod. All volumes are attempted; the first failure is
   * thrown afterwards.
   *
   * @return the pod's volumes by name
   * @throws PodConfigException {@code FailedMount} with Kubernetes' message
   */
  public Map<String, MountedVolume> setUp(Pod pod) throws PodConfigException {
    String uid = pod.getMetadata().getUid();
    sweepLocalPathVolumes(false);
    Map<String, MountedVolume> ready = new LinkedHashMap<>();
    PodConfigException first = null;
    List<Volume> volumes =
        pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    for (Volume volume : volumes) {
      try {
        ready.put(volume.getName(), setUp(pod, volume));
      } catch (VolumeException e) {
        if (first == null) {
          first = new PodConfigException("FailedMount", e.getMessage(), e.getCause());
        }
      } catch (IOException | RuntimeException e) {
        if (first == null) {
          first =
              new PodConfigException(
                  "FailedMount", setUpFailed(volume, String.valueOf(e.getMessage())), e);
        }
      }
    }
    Map<String, MountedVolume> known =
        podVolumes.computeIfAbsent(uid, u -> new ConcurrentHashMap<>());
    known.putAll(ready);
    if (first != null) {
      throw first;
    }
    return Map.copyOf(ready);
  }

  /**
   * A volume of the pod as {@link #setUp(Pod)} left it; sets the pod's volumes up first when this
   * kubelet has not done so yet.
   */
  public MountedVolume volume(Pod pod, String name) throws PodConfigException {
    Map<String, MountedVolume> known = podVolumes.get(pod.getMetadata().getUid());
    if (known == null || !known.containsKey(name)) {
      known = setUp(pod);
    }
    return known.get(name);
  }

  /** Unmounts the pod's tmpfs volumes and removes its directory. */
  public void tearDown(String podUid) throws IOException {
    podVolumes.remove(podUid);
    tokens.forget(podUid);
    Path podDir = podDir(podUid);
    for (Path mountPoint : mounts.mountPointsUnder(podDir)) {
      mounts.unmount(mountPoint);
    }
    if (!mounts.mountPointsUnder(podDir).isEmpty()) {
      throw new IOException(podDir + " still has mounts; not removing it");
    }
    AtomicWriter.deleteTree(podDir);
    sweepLocalPathVolumes(true);
  }

  /**
   * Removes, off the caller's thread, directories of deleted local-path volumes no pod uses: at
   * every pod removal, and at pod set-up at most every 30 s.
   */
  private void sweepLocalPathVolumes(boolean now) {
    Set<Path> inUse = new HashSet<>();
    podVolumes.values().forEach(volumes -> volumes.values().forEach(v -> inUse.add(v.hostPath())));
    Thread.ofVirtual().name("local-path-sweep").start(() -> localPath.maybeSweep(inUse, now));
  }

  private MountedVolume setUp(Pod pod, Volume volume) throws IOException, VolumeException {
    String uid = pod.getMetadata().getUid();
    if (volume.getEmptyDir() != null) {
      return new MountedVolume(emptyDir(pod, volume, volume.getEmptyDir()), false);
    }
    if (volume.getHostPath() != null) {
      Path path = Path.of(volume.getHostPath().getPath());
      try {
        HostPathTypes.check(path, volume.getHostPath().getType());
      } catch (IOException e) {
        throw new VolumeException(setUpFailed(volume, e.getMessage()), e);
      }
      return new MountedVolume(path, false);
    }
    if (volume.getConfigMap() != null) {
      Path dir = volumeDir(uid, "kubernetes.io~configmap", volume.getName());
      createVolumeDir(dir);
      write(pod, dir, configMapPayload(pod, volume, volume.getConfigMap()));
      return new MountedVolume(dir, true);
    }
    if (volume.getSecret() != null) {
      Path dir = memoryDir(pod, volumeDir(uid, "kubernetes.io~secret", volume.getName()));
      write(pod, dir, secretPayload(pod, volume, volume.getSecret()));
      return new MountedVolume(dir, true);
    }
    if (volume.getDownwardAPI() != null) {
      Path dir = memoryDir(pod, volumeDir(uid, "kubernetes.io~downward-api", volume.getName()));
      int mode = mode(volume.getDownwardAPI().getDefaultMode());
      Map<String, FileProjection> payload;
      try {
        payload = downwardPayload(pod, volume.getDownwardAPI().getItems(), mode);
      } catch (IllegalArgumentException e) {
        throw new VolumeException(setUpFailed(volume, e.getMessage()), e);
      }
      write(pod, dir, payload);
      return new MountedVolume(dir, true);
    }
    if (volume.getProjected() != null) {
      Path dir = memoryDir(pod, volumeDir(uid, "kubernetes.io~projected", volume.getName()));
      write(pod, dir, projectedPayload(pod, volume));
      return new MountedVolume(dir, true);
    }
    if (volume.getPersistentVolumeClaim() != null) {
      return claimVolume(
          pod,
          volume.getPersistentVolumeClaim().getClaimName(),
          Boolean.TRUE.equals(volume.getPersistentVolumeClaim().getReadOnly()));
    }
    if (volume.getEphemeral() != null) {
      return claimVolume(pod, pod.getMetadata().getName() + "-" + volume.getName(), false);
    }
    throw new VolumeException(
        setUpFailed(volume, "no volume plugin matched this node's volume types"), null);
  }

  private Path emptyDir(Pod pod, Volume volume, EmptyDirVolumeSource source)
      throws IOException, VolumeException {
    Path dir = volumeDir(pod.getMetadata().getUid(), "kubernetes.io~empty-dir", volume.getName());
    String medium = source.getMedium() == null ? "" : source.getMedium();
    Long fsGroup = fsGroup(pod);
    switch (medium) {
      case "" -> {
        if (createVolumeDir(dir) && fsGroup != null) {
          VolumeOwnership.apply(dir, fsGroup, false);
        }
      }
      case "Memory" -> {
        createVolumeDir(dir);
        if (!mounts.isMountPoint(dir)) {
          mounts.mountTmpfs(dir, memoryVolumeSize(pod, source.getSizeLimit()));
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
          if (fsGroup != null) {
            VolumeOwnership.apply(dir, fsGroup, false);
          }
        }
      }
      default ->
          throw new VolumeException(
              setUpFailed(volume, "emptyDir medium " + medium + " is not supported"), null);
    }
    return dir;
  }

  /** A directory backed by its own tmpfs (made once, kept across syncs). */
  private Path memoryDir(Pod pod, Path dir) throws IOException {
    Files.createDirectories(dir);
    if (!mounts.isMountPoint(dir)) {
      mounts.mountTmpfs(dir, memoryVolumeSize(pod, null));
    }
    return dir;
  }

  /** Creates a 0777 volume directory; whether it was new. */
  private static boolean createVolumeDir(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return false;
    }
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    return true;
  }

  private static Long fsGroup(Pod pod) {
    return pod.getSpec().getSecurityContext() == null
        ? null
        : pod.getSpec().getSecurityContext().getFsGroup();
  }

  /** Writes a read-only volume's files, then gives them the pod's fsGroup when they changed. */
  private void write(Pod pod, Path dir, Map<String, FileProjection> payload) throws IOException {
    Long group = fsGroup(pod);
    if (group != null) {
      // the modes the ownership change will leave, so an unchanged payload compares equal
      Map<String, FileProjection> grouped = new LinkedHashMap<>();
      payload.forEach(
          (path, file) -> grouped.put(path, new FileProjection(file.data(), file.mode() | 0440)));
      payload = grouped;
    }
    if (new AtomicWriter(dir, clock).write(payload)) {
      log.debug("volume updated dir={} files={}", dir, payload.size());
      Long fsGroup = fsGroup(pod);
      if (fsGroup != null) {
        VolumeOwnership.apply(dir, fsGroup, true);
      }
    }
  }

  /**
   * The size of a memory-backed volume: node allocatable memory, lowered to the pod's memory limit
   * and then to the volume's sizeLimit when those are smaller, as Kubernetes sizes them.
   */
  long memoryVolumeSize(Pod pod, Quantity sizeLimit) {
    long size = DownwardApi.value(allocatable.get("memory"));
    long podLimit = podMemoryLimit(pod);
    if (podLimit > 0 && (size <= 0 || podLimit <= size)) {
      size = podLimit;
    }
    long volumeLimit = DownwardApi.value(sizeLimit);
    if (volumeLimit > 0 && (size <= 0 || volumeLimit <= size)) {
      size = volumeLimit;
    }
    return size;
  }

  /** The pod's memory limit as its cgroup gets it; 0 when a container has none. */
  static long podMemoryLimit(Pod pod) {
    long sum = 0;
    for (Container container : pod.getSpec().getContainers()) {
      Quantity limit = DownwardApi.limits(container).get("memory");
      if (limit == null) {
        return 0;
      }
      sum += DownwardApi.value(limit);
    }
    if (pod.getSpec().getInitContainers() != null) {
      for (Container init : pod.getSpec().getInitContainers()) {
        Quantity limit = DownwardApi.limits(init).get("memory");
        if (limit == null) {
          return 0;
        }
        sum = Math.max(sum, DownwardApi.value(limit));
      }
    }
    return sum;
  }

  private Path volumeDir(String uid, String plugin, String name) {
    return podDir(uid).resolve("volumes").resolve(plugin).resolve(name);
  }

  private Map<String, FileProjection> configMapPayload(
      Pod pod, Volume volume, ConfigMapVolumeSource source) throws VolumeException {
    boolean optional = Boolean.TRUE.equals(source.getOptional());
    String namespace = pod.getMetadata().getNamespace();
    ConfigMap configMap = getConfigMap(volume, namespace, source.getName());
    if (configMap == null) {
      if (!optional) {
        throw new VolumeException(
            setUpFailed(volume, "configmap \"" + source.getName() + "\" not found"), null);
      }
      return Map.of();
    }
    try {
      return configMapFiles(configMap, source.getItems(), mode(source.getDefaultMode()), optional);
    } catch (IllegalArgumentException e) {
      throw new VolumeException(setUpFailed(volume, e.getMessage()), e);
    }
  }

  private Map<String, FileProjection> secretPayload(
      Pod pod, Volume volume, SecretVolumeSource source) throws VolumeException {
    boolean optional = Boolean.TRUE.equals(source.getOptional());
    Secret secret = getSecret(volume, pod.getMetadata().getNamespace(), source.getSecretName());
    if (secret == null) {
      if (!optional) {
        throw new VolumeException(
            setUpFailed(volume, "secret \"" + source.getSecretName() + "\" not found"), null);
      }
      return Map.of();
    }
    try {
      return secretFiles(secret, source.getItems(), mode(source.getDefaultMode()), optional);
    } catch (IllegalArgumentException e) {
      throw new VolumeException(setUpFailed(volume, e.getMessage()), e);
    }
  }

  private Map<String, FileProjection> projectedPayload(Pod pod, Volume volume)
      throws VolumeException {
    int defaultMode = mode(volume.getProjected().getDefaultMode());
    String namespace = pod.getMetadata().getNamespace();
    Map<String, FileProjection> payload = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    List<VolumeProjection> sources =
        volume.getProjected().getSources() == null ? List.of() : volume.getProjected().getSources();
    for (VolumeProjection source : sources) {
      try {
        if (source.getConfigMap() != null) {
          ConfigMapProjection projection = source.getConfigMap();
          boolean optional = Boolean.TRUE.equals(projection.getOptional());
          ConfigMap configMap = getConfigMap(volume, namespace, projection.getName());
          if (configMap == null) {
            if (!optional) {
              errors.add("configmap \"" + projection.getName() + "\" not found");
            }
            continue;
          }
          payload.putAll(configMapFiles(configMap, projection.getItems(), defaultMode, optional));
        } else if (source.getSecret() != null) {
          SecretProjection projection = source.getSecret();
          boolean optional = Boolean.TRUE.equals(projection.getOptional());
          Secret secret = getSecret(volume, namespace, projection.getName());
          if (secret == null) {
            if (!optional) {
              errors.add("secret \"" + projection.getName() + "\" not found");
            }
            continue;
          }
          payload.putAll(secretFiles(secret, projection.getItems(), defaultMode, optional));
        } else if (source.getDownwardAPI() != null) {
          payload.putAll(downwardPayload(pod, source.getDownwardAPI().getItems(), defaultMode));
        } else if (source.getServiceAccountToken() != null) {
          ServiceAccountTokenProjection projection = source.getServiceAccountToken();
          long seconds =
              projection.getExpirationSeconds() == null
                  ? DEFAULT_TOKEN_SECONDS
                  : projection.getExpirationSeconds();
          String token;
          try {
            token = tokens.token(pod, projection.getAudience(), seconds);
          } catch (KubernetesClientException | IllegalStateException e) {
            errors.add("failed to fetch token: " + clientMessage(e));
            continue;
          }
          // with an fsGroup the token is 0600 and group-readable after the ownership change
          int tokenMode = fsGroup(pod) != null ? 0600 : defaultMode;
          payload.put(
              projection.getPath(),
              new FileProjection(token.getBytes(StandardCharsets.UTF_8), tokenMode));
        } else if (source.getClusterTrustBundle() != null) {
          errors.add("clusterTrustBundle projections are not supported by this node");
        }
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      String message = errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
      throw new VolumeException(setUpFailed(volume, message), null);
    }
    return payload;
  }

  private Map<String, FileProjection> downwardPayload(
      Pod pod, List<DownwardAPIVolumeFile> items, int defaultMode) {
    Map<String, FileProjection> payload = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (DownwardAPIVolumeFile item : items == null ? List.<DownwardAPIVolumeFile>of() : items) {
      int mode = item.getMode() == null ? defaultMode : item.getMode();
      try {
        String value;
        if (item.getFieldRef() != null) {
          value = DownwardApi.metadataField(pod, item.getFieldRef().getFieldPath());
        } else if (item.getResourceFieldRef() != null) {
          String containerName = item.getResourceFieldRef().getContainerName();
          Container container = findContainer(pod, containerName);
          if (container == null) {
            throw new IllegalArgumentException(
                "failed to find container \""
                    + containerName
                    + "\" in pod \""
                    + pod.getMetadata().getName()
                    + "\"");
          }
          value = DownwardApi.resourceField(item.getResourceFieldRef(), container, allocatable);
        } else {
          continue;
        }
        payload.put(
            item.getPath(), new FileProjection(value.getBytes(StandardCharsets.UTF_8), mode));
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]");
    }
    return payload;
  }

  private static Container findContainer(Pod pod, String name) {
    List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    if (name == null || name.isEmpty()) {
      return all.isEmpty() ? null : all.get(0);
    }
    return all.stream().filter(c -> name.equals(c.getName())).findFirst().orElse(null);
  }

  static Map<String, FileProjection> configMapFiles(
      ConfigMap configMap, List<KeyToPath> items, int defaultMode, boolean optional) {
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (configMap.getData() != null) {
      configMap.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    if (configMap.getBinaryData() != null) {
      configMap.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    return files(
        data, items, defaultMode, optional, "configmap references non-existent config key: ");
  }

  static Map<String, FileProjection> secretFiles(
      Secret secret, List<KeyToPath> items, int defaultMode, boolean optional) {
    return files(
        secretData(secret), items, defaultMode, optional, "references non-existent secret key: ");
  }

  /** A secret's decoded data ({@code stringData} too, should a server have left it). */
  public static Map<String, byte[]> secretData(Secret secret) {
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    return data;
  }

  private static Map<String, FileProjection> files(
      Map<String, byte[]> data,
      List<KeyToPath> items,
      int defaultMode,
      boolean optional,
      String missingKeyMessage) {
    Map<String, FileProjection> payload = new LinkedHashMap<>();
    if (items == null || items.isEmpty()) {
      data.forEach((k, v) -> payload.put(k, new FileProjection(v, defaultMode)));
      return payload;
    }
    for (KeyToPath item : items) {
      byte[] value = data.get(item.getKey());
      if (value == null) {
        if (optional) {
          continue;
        }
        throw new IllegalArgumentException(missingKeyMessage + item.getKey());
      }
      int mode = item.getMode() == null ? defaultMode : item.getMode();
      payload.put(item.getPath(), new FileProjection(value, mode));
    }
    return payload;
  }

  private MountedVolume claimVolume(Pod pod, String claimName, boolean readOnly)
      throws IOException, VolumeException {
    String namespace = pod.getMetadata().getNamespace();
    String prefix = "error processing PVC " + namespace + "/" + claimName + ": ";
    PersistentVolumeClaim claim;
    try {
      claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
    } catch (KubernetesClientException e) {
      throw new VolumeException(
          prefix + "failed to fetch PVC from API server: " + clientMessage(e), e);
    }
    if (claim == null) {
      throw new VolumeException(
          prefix
              + "failed to fetch PVC from API server: persistentvolumeclaims \""
              + claimName
              + "\" not found",
          null);
    }
    if (claim.getMetadata().getDeletionTimestamp() != null) {
      throw new VolumeException(
          prefix
              + "can't start pod because PVC "
              + namespace
              + "/"
              + claimName
              + " is being deleted",
          null);
    }
    String phase = claim.getStatus() == null ? "" : nullToEmpty(claim.getStatus().getPhase());
    String volumeName = claim.getSpec() == null ? "" : nullToEmpty(claim.getSpec().getVolumeName());
    if (!"Bound".equals(phase) || volumeName.isEmpty()) {
      throw new VolumeException(
          prefix
              + "PVC "
              + namespace
              + "/"
              + claimName
              + " has non-bound phase (\""
              + phase
              + "\") or empty pvc.Spec.VolumeName (\""
              + volumeName
              + "\")",
          null);
    }
    PersistentVolume volume;
    try {
      volume = client.persistentVolumes().withName(volumeName).get();
    } catch (KubernetesClientException e) {
      throw new VolumeException(
          prefix + "failed to fetch PV \"" + volumeName + "\" from API server: " + clientMessage(e),
          e);
    }
    if (volume == null) {
      throw new VolumeException(
          prefix
              + "failed to fetch PV \""
              + volumeName
              + "\" from API server: persistentvolumes \""
              + volumeName
              + "\" not found",
          null);
    }
    if (volume.getSpec().getHostPath() != null) {
      Path path = Path.of(volume.getSpec().getHostPath().getPath());
      try {
        HostPathTypes.check(path, volume.getSpec().getHostPath().getType());
        localPath.remember(volume);
      } catch (IOException e) {
        throw new VolumeException(prefix + e.getMessage(), e);
      }
      return new MountedVolume(path, readOnly);
    }
    if (volume.getSpec().getLocal() != null) {
      Path path = Path.of(volume.getSpec().getLocal().getPath());
      if (!Files.exists(path)) {
        throw new VolumeException(
            prefix + "path \"" + path + "\" does not exist for local volume " + volumeName, null);
      }
      return new MountedVolume(path, readOnly);
    }
    throw new VolumeException(
        prefix + "PV " + volumeName + " has a volume source this node cannot mount", null);
  }

  private ConfigMap getConfigMap(Volume volume, String namespace, String name)
      throws VolumeException {
    try {
      return client.configMaps().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new VolumeException(setUpFailed(volume, clientMessage(e)), e);
    }
  }

  private Secret getSecret(Volume volume, String namespace, String name) throws VolumeException {
    try {
      return client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new VolumeException(setUpFailed(volume, clientMessage(e)), e);
    }
  }

  static String clientMessage(RuntimeException e) {
    if (e instanceof KubernetesClientException k
        && k.getStatus() != null
        && k.getStatus().getMessage() != null) {
      return k.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage());
  }

  private static int mode(Integer mode) {
    return mode == null ? DEFAULT_MODE : mode;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  static String setUpFailed(Volume volume, String message) {
    return "MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : " + message;
  }

  /** A volume that cannot be set up, with the message for the FailedMount event. */
  static final class VolumeException extends Exception {
    VolumeException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
