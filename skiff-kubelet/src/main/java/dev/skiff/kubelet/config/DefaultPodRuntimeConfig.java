package dev.skiff.kubelet.config;

import dev.skiff.api.Json;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.ContainerMetadata;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.KeyValue;
import dev.skiff.kubelet.cri.v1.LinuxContainerConfig;
import dev.skiff.kubelet.cri.v1.LinuxPodSandboxConfig;
import dev.skiff.kubelet.cri.v1.Mount;
import dev.skiff.kubelet.cri.v1.MountPropagation;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxMetadata;
import dev.skiff.kubelet.cri.v1.PortMapping;
import dev.skiff.kubelet.cri.v1.Protocol;
import dev.skiff.kubelet.pod.PodConfigException;
import dev.skiff.kubelet.pod.PodRuntimeConfig;
import dev.skiff.kubelet.volume.DownwardApi;
import dev.skiff.kubelet.volume.MountedVolume;
import dev.skiff.kubelet.volume.Mounts;
import dev.skiff.kubelet.volume.PodVolumes;
import dev.skiff.kubelet.volume.ServiceAccountTokens;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The kubelet's translation of pods into CRI configs and node volumes, following Kubernetes'
 * kubelet: sandbox (hostname, DNS, ports, cgroup parent by QoS, namespaces, sysctls, log
 * directory), containers (command and args expanded, environment, mounts with subPath and
 * propagation, the managed {@code /etc/hosts}, the termination-message file, cgroup v1 resources,
 * security context), and volumes through {@link PodVolumes}.
 */
public final class DefaultPodRuntimeConfig implements PodRuntimeConfig {
  static final String DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
  private static final String CONFIG_ERROR = "CreateContainerConfigError";

  private final PodRuntimeOptions options;
  private final PodVolumes volumes;
  private final ContainerEnvironment environment;
  private final SecurityContexts security;
  private final RandomGenerator random;

  public DefaultPodRuntimeConfig(PodRuntimeOptions options, KubernetesClient client) {
    this(
        options,
        client,
        new ServiceAccountTokens(client),
        new Mounts(),
        InstantSource.system(),
        RandomGenerator.getDefault());
  }

  DefaultPodRuntimeConfig(
      PodRuntimeOptions options,
      KubernetesClient client,
      ServiceAccountTokens tokens,
      Mounts mounts,
      InstantSource clock,
      RandomGenerator random) {
    this.options = options;
    this.volumes =
        new PodVolumes(options.podsRoot(), client, options.allocatable(), tokens, mounts, clock);
    this.environment = new ContainerEnvironment(client, options.nodeIp(), options.allocatable());
    this.security = new SecurityContexts(options.seccompRoot());
    this.random = random;
  }

  /** The pod's directory on the node ({@code <dataDir>/agent/pods/<uid>}). */
  public Path podDir(String podUid) {
    return volumes.podDir(podUid);
  }

  /** The pod's log directory ({@code <podLogRoot>/<namespace>_<name>_<uid>}). */
  public Path logDirectory(Pod pod) {
    return options
        .podLogRoot()
        .resolve(
            pod.getMetadata().getNamespace()
                + "_"
                + pod.getMetadata().getName()
                + "_"
                + pod.getMetadata().getUid());
  }

  @Override
  public PodSandboxConfig sandboxConfig(Pod pod, int attempt) throws PodConfigException {
    boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    Path logDirectory = logDirectory(pod);
    try {
      Files.createDirectories(logDirectory);
    } catch (IOException e) {
      throw new PodConfigException(
          "CreatePodSandboxConfigError", "create pod log directory: " + e.getMessage(), e);
    }
    DnsConfigs dns =
        new DnsConfigs(
            options.clusterDns(),
            options.clusterDomain(),
            DnsConfigs.ResolvConf.read(options.resolvConf()));
    PodSandboxConfig.Builder sandbox =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder()
                    .setName(pod.getMetadata().getName())
                    .setNamespace(pod.getMetadata().getNamespace())
                    .setUid(pod.getMetadata().getUid())
                    .setAttempt(attempt))
            .setHostname(
                hostNetwork
                    ? options.hostname()
                    : PodHostnames.kernelHostname(pod, options.clusterDomain()))
            .setLogDirectory(logDirectory.toString())
            .setDnsConfig(dns.forPod(pod))
            .addAllPortMappings(portMappings(pod))
            .putAllLabels(sandboxLabels(pod));
    if (pod.getMetadata().getAnnotations() != null) {
      sandbox.putAllAnnotations(pod.getMetadata().getAnnotations());
    }
    LinuxPodSandboxConfig.Builder linux =
        LinuxPodSandboxConfig.newBuilder()
            .setCgroupParent(LinuxResources.cgroupParent(pod, options.cgroupRoot()))
            .setResources(LinuxResources.forSandbox(pod))
            .setSecurityContext(security.sandbox(pod));
    if (pod.getSpec().getSecurityContext() != null
        && pod.getSpec().getSecurityContext().getSysctls() != null) {
      for (Sysctl sysctl : pod.getSpec().getSecurityContext().getSysctls()) {
        linux.putSysctls(sysctl.getName(), sysctl.getValue());
      }
    }
    return sandbox.setLinux(linux).build();
  }

  @Override
  public void setUpVolumes(Pod pod) throws PodConfigException {
    volumes.setUp(pod);
  }

  @Override
  public ContainerConfig containerConfig(
      Pod pod, Container container, PodSandboxConfig sandbox, String podIp, int restartCount)
      throws PodConfigException {
    Map<String, String> env = environment.resolve(pod, container, podIp);
    var mapping = Expansion.mappingFor(env);
    ContainerConfig.Builder config =
        ContainerConfig.newBuilder()
            .setMetadata(
                ContainerMetadata.newBuilder()
                    .setName(container.getName())
                    .setAttempt(restartCount))
            .setImage(
                ImageSpec.newBuilder()
                    .setImage(nullToEmpty(container.getImage()))
                    .setUserSpecifiedImage(nullToEmpty(container.getImage())))
            .setWorkingDir(nullToEmpty(container.getWorkingDir()))
            .setLogPath(container.getName() + "/" + restartCount + ".log")
            .setStdin(Boolean.TRUE.equals(container.getStdin()))
            .setStdinOnce(Boolean.TRUE.equals(container.getStdinOnce()))
            .setTty(Boolean.TRUE.equals(container.getTty()))
            .putAllLabels(containerLabels(pod, container))
            .putAllAnnotations(containerAnnotations(pod, container, restartCount));
    if (container.getCommand() != null) {
      for (String command : container.getCommand()) {
        config.addCommand(Expansion.expand(command, mapping));
      }
    }
    if (container.getArgs() != null) {
      for (String arg : container.getArgs()) {
        config.addArgs(Expansion.expand(arg, mapping));
      }
    }
    env.forEach((k, v) -> config.addEnvs(KeyValue.newBuilder().setKey(k).setValue(v)));
    config.addAllMounts(mounts(pod, container, env, podIp));
    long memoryCapacity =
        DownwardApi.value(
            options.capacity().getOrDefault("memory", options.allocatable().get("memory")));
    config.setLinux(
        LinuxContainerConfig.newBuilder()
            .setResources(LinuxResources.forContainer(pod, container, memoryCapacity))
            .setSecurityContext(security.container(pod, container)));
    return config.build();
  }

  @Override
  public void tearDown(String podUid) {
    try {
      volumes.tearDown(podUid);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("tear down pod " + podUid, e);
    }
  }

  private List<Mount> mounts(Pod pod, Container container, Map<String, String> env, String podIp)
      throws PodConfigException {
    List<Mount> mounts = new ArrayList<>();
    boolean mountEtcHosts = podIp != null && !podIp.isEmpty();
    List<VolumeMount> volumeMounts =
        container.getVolumeMounts() == null ? List.of() : container.getVolumeMounts();
    for (VolumeMount volumeMount : volumeMounts) {
      if ("/etc/hosts".equals(volumeMount.getMountPath())) {
        mountEtcHosts = false;
      }
      MountedVolume volume = volumes.volume(pod, volumeMount.getName());
      if (volume == null) {
        throw new PodConfigException(
            CONFIG_ERROR,
            "cannot find volume \""
                + volumeMount.getName()
                + "\" to mount into container \""
                + container.getName()
                + "\"");
      }
      Path hostPath = volume.hostPath();
      String subPath = nullToEmpty(volumeMount.getSubPath());
      if (volumeMount.getSubPathExpr() != null && !volumeMount.getSubPathExpr().isEmpty()) {
        subPath = expandSubPath(volumeMount.getSubPathExpr(), env);
      }
      if (!subPath.isEmpty()) {
        hostPath = subPath(hostPath, subPath, volumeMount, container);
      }
      mounts.add(
          Mount.newBuilder()
              .setContainerPath(volumeMount.getMountPath())
              .setHostPath(hostPath.toString())
              .setReadonly(Boolean.TRUE.equals(volumeMount.getReadOnly()) || volume.readOnly())
              .setPropagation(propagation(volumeMount.getMountPropagation()))
              .build());
    }
    if (mountEtcHosts) {
      mounts.add(
          Mount.newBuilder()
              .setContainerPath("/etc/hosts")
              .setHostPath(writeEtcHosts(pod, podIp).toString())
              .build());
    }
    mounts.add(
        Mount.newBuilder()
            .setContainerPath(terminationMessagePath(container))
            .setHostPath(terminationMessageFile(pod, container).toString())
            .build());
    return mounts;
  }

  static String expandSubPath(String expression, Map<String, String> env)
      throws PodConfigException {
    Set<String> missing = new TreeSet<>();
    String expanded =
        Expansion.expand(
            expression,
            name -> {
              String value = env.get(name);
              if (value == null || value.isEmpty()) {
                missing.add(name);
                return "";
              }
              return value;
            });
    if (!missing.isEmpty()) {
      throw new PodConfigException(CONFIG_ERROR, "missing value for " + String.join(", ", missing));
    }
    return expanded;
  }

  /**
   * The host path of a subPath mount: relative, without {@code ..}, created as a directory when
   * missing, and (after resolving symlinks) still inside the volume.
   */
  static Path subPath(Path volumePath, String subPath, VolumeMount mount, Container container)
      throws PodConfigException {
    if (subPath.startsWith("/")) {
      throw new PodConfigException(
          CONFIG_ERROR, "error SubPath `" + subPath + "` must not be an absolute path");
    }
    for (String segment : subPath.split("/")) {
      if (segment.equals("..")) {
        throw new PodConfigException(
            CONFIG_ERROR, "unable to provision SubPath `" + subPath + "`: must not contain '..'");
      }
    }
    Path joined = volumePath.resolve(subPath);
    try {
      if (!Files.exists(joined)) {
        Files.createDirectories(joined);
        Files.setPosixFilePermissions(joined, Files.getPosixFilePermissions(volumePath));
      }
      Path real = joined.toRealPath();
      if (!real.startsWith(volumePath.toRealPath())) {
        throw new PodConfigException(
            CONFIG_ERROR,
            "failed to prepare subPath for volumeMount \""
                + mount.getName()
                + "\" of container \""
                + container.getName()
                + "\"");
      }
      return real;
    } catch (IOException e) {
      throw new PodConfigException(
          CONFIG_ERROR,
          "failed to create subPath directory for volumeMount \""
              + mount.getName()
              + "\" of container \""
              + container.getName()
              + "\"",
          e);
    }
  }

  private static MountPropagation propagation(String propagation) {
    if (propagation == null) {
      return MountPropagation.PROPAGATION_PRIVATE;
    }
    return switch (propagation) {
      case "HostToContainer" -> MountPropagation.PROPAGATION_HOST_TO_CONTAINER;
      case "Bidirectional" -> MountPropagation.PROPAGATION_BIDIRECTIONAL;
      default -> MountPropagation.PROPAGATION_PRIVATE;
    };
  }

  private Path writeEtcHosts(Pod pod, String podIp) throws PodConfigException {
    Path file = podDir(pod.getMetadata().getUid()).resolve("etc-hosts");
    try {
      String content;
      if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
        String nodeHosts =
            Files.exists(options.hostsFile()) ? Files.readString(options.hostsFile()) : "";
        content = EtcHosts.hostNetwork(nodeHosts, pod.getSpec().getHostAliases());
      } else {
        content =
            EtcHosts.managed(
                List.of(podIp),
                PodHostnames.hostname(pod),
                PodHostnames.domain(pod, options.clusterDomain()),
                pod.getSpec().getHostAliases());
      }
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      return file;
    } catch (IOException e) {
      throw new PodConfigException(CONFIG_ERROR, "write hosts file: " + e.getMessage(), e);
    }
  }

  /** A fresh, empty, world-writable file for this run's termination message. */
  private Path terminationMessageFile(Pod pod, Container container) throws PodConfigException {
    Path dir =
        podDir(pod.getMetadata().getUid()).resolve("containers").resolve(container.getName());
    try {
      Files.createDirectories(dir);
      Path file;
      do {
        file = dir.resolve(String.format("%08x", random.nextInt()));
      } while (Files.exists(file));
      Files.createFile(file);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
      return file;
    } catch (IOException e) {
      throw new PodConfigException(
          CONFIG_ERROR, "create termination message file: " + e.getMessage(), e);
    }
  }

  static List<PortMapping> portMappings(Pod pod) {
    List<PortMapping> mappings = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Container container : pod.getSpec().getContainers()) {
      if (container.getPorts() == null) {
        continue;
      }
      for (ContainerPort port : container.getPorts()) {
        String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
        String key =
            port.getName() == null || port.getName().isEmpty()
                ? container.getName()
                    + "-"
                    + protocol
                    + ":"
                    + port.getContainerPort()
                    + "@"
                    + nullToEmpty(port.getHostIP())
                : container.getName() + "-" + port.getName();
        if (!seen.add(key)) {
          continue;
        }
        mappings.add(
            PortMapping.newBuilder()
                .setProtocol(
                    switch (protocol) {
                      case "UDP" -> Protocol.UDP;
                      case "SCTP" -> Protocol.SCTP;
                      default -> Protocol.TCP;
                    })
                .setContainerPort(port.getContainerPort())
                .setHostPort(port.getHostPort() == null ? 0 : port.getHostPort())
                .setHostIp(nullToEmpty(port.getHostIP()))
                .build());
      }
    }
    return mappings;
  }

  static Map<String, String> sandboxLabels(Pod pod) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (pod.getMetadata().getLabels() != null) {
      labels.putAll(pod.getMetadata().getLabels());
    }
    labels.put(CriLabels.POD_NAME, pod.getMetadata().getName());
    labels.put(CriLabels.POD_NAMESPACE, pod.getMetadata().getNamespace());
    labels.put(CriLabels.POD_UID, pod.getMetadata().getUid());
    return labels;
  }

  static Map<String, String> containerLabels(Pod pod, Container container) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(CriLabels.POD_NAME, pod.getMetadata().getName());
    labels.put(CriLabels.POD_NAMESPACE, pod.getMetadata().getNamespace());
    labels.put(CriLabels.POD_UID, pod.getMetadata().getUid());
    labels.put(CriLabels.CONTAINER_NAME, container.getName());
    return labels;
  }

  static Map<String, String> containerAnnotations(Pod pod, Container container, int restartCount) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(CriLabels.CONTAINER_HASH, containerHash(container));
    annotations.put(CriLabels.RESTART_COUNT, String.valueOf(restartCount));
    annotations.put(CriLabels.TERMINATION_MESSAGE_PATH, terminationMessagePath(container));
    annotations.put(
        CriLabels.TERMINATION_MESSAGE_POLICY,
        container.getTerminationMessagePolicy() == null
            ? "File"
            : container.getTerminationMessagePolicy());
    Long grace =
        pod.getMetadata().getDeletionGracePeriodSeconds() != null
            ? pod.getMetadata().getDeletionGracePeriodSeconds()
            : pod.getSpec().getTerminationGracePeriodSeconds();
    if (grace != null) {
      annotations.put(CriLabels.TERMINATION_GRACE_PERIOD, String.valueOf(grace));
    }
    return annotations;
  }

  /** The container's terminationMessagePath; empty means the default, as API defaulting sets it. */
  static String terminationMessagePath(Container container) {
    String path = container.getTerminationMessagePath();
    return path == null || path.isEmpty() ? DEFAULT_TERMINATION_MESSAGE_PATH : path;
  }

  /** FNV-1a (32 bit) of the container's JSON, in hex: changes whenever its spec changes. */
  public static String containerHash(Container container) {
    byte[] json = Json.MAPPER.writeValueAsBytes(container);
    int hash = 0x811c9dc5;
    for (byte b : json) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    return Integer.toUnsignedString(hash, 16);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
