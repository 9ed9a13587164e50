package dev.skiff.kubelet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.ContainerMetadata;
import dev.skiff.kubelet.cri.v1.DNSConfig;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.Int64Value;
import dev.skiff.kubelet.cri.v1.KeyValue;
import dev.skiff.kubelet.cri.v1.LinuxContainerConfig;
import dev.skiff.kubelet.cri.v1.LinuxContainerResources;
import dev.skiff.kubelet.cri.v1.LinuxContainerSecurityContext;
import dev.skiff.kubelet.cri.v1.LinuxPodSandboxConfig;
import dev.skiff.kubelet.cri.v1.LinuxSandboxSecurityContext;
import dev.skiff.kubelet.cri.v1.Mount;
import dev.skiff.kubelet.cri.v1.MountPropagation;
import dev.skiff.kubelet.cri.v1.NamespaceMode;
import dev.skiff.kubelet.cri.v1.NamespaceOption;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxMetadata;
import dev.skiff.kubelet.cri.v1.PortMapping;
import dev.skiff.kubelet.cri.v1.Protocol;
import dev.skiff.kubelet.cri.v1.SecurityProfile;
import dev.skiff.kubelet.pod.PodConfigException;
import dev.skiff.kubelet.volume.Mounts;
import dev.skiff.kubelet.volume.ServiceAccountTokens;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pods translated to CRI configs with configMaps, secrets and services from the in-process API
 * server.
 */
class DefaultPodRuntimeConfigIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "shop";
  private static final long GI = 1L << 30;

  @TempDir Path tmp;
  private DefaultPodRuntimeConfig config;
  private final List<String> uids = new ArrayList<>();

  @BeforeAll
  static void objects() {
    KubernetesClient client = cluster.client();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .endMetadata()
                .addToData("who", "world")
                .addToData("MODE", "fast")
                .addToData("1st", "first")
                .build())
        .create();
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("creds")
                .endMetadata()
                .addToData("password", b64("hunter2"))
                .addToData("USER", b64("admin"))
                .build())
        .create();
    client
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("back-end")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.43.77.7")
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withProtocol("TCP")
                .endPort()
                .addToSelector("app", "backend")
                .endSpec()
                .build())
        .create();
    client
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("headless")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(
        tmp.resolve("resolv.conf"),
        "nameserver 192.168.1.1\nsearch host.example\noptions timeout:2\n");
    Files.writeString(tmp.resolve("hosts"), "127.0.0.1\tlocalhost\n192.168.1.5\tnode-a\n");
    PodRuntimeOptions options =
        PodRuntimeOptions.of("node-a", "192.168.1.5", tmp.resolve("data"))
            .withHostname("node-a.lan")
            .withHostFiles(tmp.resolve("resolv.conf"), tmp.resolve("hosts"))
            .withResources(
                Map.of("memory", new Quantity("8Gi"), "cpu", new Quantity("4")),
                Map.of(
                    "memory",
                    new Quantity("7Gi"),
                    "cpu",
                    new Quantity("3500m"),
                    "ephemeral-storage",
                    new Quantity("50Gi")));
    config =
        new DefaultPodRuntimeConfig(
            options,
            cluster.client(),
            new ServiceAccountTokens(
                (ns, sa, request) -> {
                  throw new IllegalStateException("no tokens in this test");
                },
                InstantSource.system()),
            new Mounts(),
            InstantSource.system(),
            new Random(42));
  }

  @AfterEach
  void tearDown() {
    uids.forEach(config::tearDown);
  }

  private PodBuilder pod(String name, Container... containers) {
    String uid = UUID.randomUUID().toString();
    uids.add(uid);
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-a")
        .withServiceAccountName("builder")
        .withContainers(containers)
        .endSpec();
  }

  /** The representative pod of the golden configs. */
  private Pod webPod() {
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withImage("registry.local/web:1.0")
            .withCommand("sh", "-c", "echo $(GREETING) $$(HOME) $(UNDEFINED)")
            .withArgs("--port=$(PORT)", "--backend=$(BACK_END_SERVICE_HOST)")
            .withWorkingDir("/srv")
            .addNewPort()
            .withName("http")
            .withContainerPort(8080)
            .withHostPort(18080)
            .endPort()
            .addNewPort()
            .withContainerPort(53)
            .withProtocol("UDP")
            .endPort()
            .addNewEnvFrom()
            .withNewConfigMapRef()
            .withName("settings")
            .endConfigMapRef()
            .withPrefix("CFG_")
            .endEnvFrom()
            .addNewEnv()
            .withName("PORT")
            .withValue("8080")
            .endEnv()
            .addNewEnv()
            .withName("WHO")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("who", "settings", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("GREETING")
            .withValue("hello $(WHO) from $(POD_NAME)")
            .endEnv()
            .addNewEnv()
            .withName("POD_NAME")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .withNewResources()
            .addToRequests("cpu", new Quantity("250m"))
            .addToRequests("memory", new Quantity("64Mi"))
            .addToLimits("cpu", new Quantity("500m"))
            .addToLimits("memory", new Quantity("128Mi"))
            .endResources()
            .addNewVolumeMount()
            .withName("cfg")
            .withMountPath("/etc/app")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("data")
            .withMountPath("/data")
            .withSubPath("logs")
            .withMountPropagation("HostToContainer")
            .endVolumeMount()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .withTerminationMessagePath("/dev/termination-log")
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .build();
    return pod("web-0", app)
        .editMetadata()
        .addToLabels("app", "web")
        .addToAnnotations("note", "golden")
        .endMetadata()
        .editSpec()
        .withSubdomain("web")
        .withTerminationGracePeriodSeconds(30L)
        .withNewSecurityContext()
        .withFsGroup(2000L)
        .addNewSysctl("net.ipv4.ip_unprivileged_port_start", "0")
        .endSecurityContext()
        .addToVolumes(
            new VolumeBuilder()
                .withName("cfg")
                .withNewConfigMap()
                .withName("settings")
                .endConfigMap()
                .build())
        .addToVolumes(new VolumeBuilder().withName("data").withNewEmptyDir().endEmptyDir().build())
        .endSpec()
        .build();
  }

  @Test
  void goldenSandboxConfig() throws PodConfigException {
    Pod pod = webPod();
    String uid = pod.getMetadata().getUid();

    PodSandboxConfig sandbox = config.sandboxConfig(pod, 1);

    Path logDir = tmp.resolve("data/agent/logs/pods/shop_web-0_" + uid);
    PodSandboxConfig expected =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder()
                    .setName("web-0")
                    .setNamespace(NS)
                    .setUid(uid)
                    .setAttempt(1))
            .setHostname("web-0")
            .setLogDirectory(logDir.toString())
            .setDnsConfig(
                DNSConfig.newBuilder()
                    .addServers("10.43.0.10")
                    .addAllSearches(
                        List.of(
                            "shop.svc.cluster.local",
                            "svc.cluster.local",
                            "cluster.local",
                            "host.example"))
                    .addOptions("ndots:5"))
            .addPortMappings(
                PortMapping.newBuilder()
                    .setProtocol(Protocol.TCP)
                    .setContainerPort(8080)
                    .setHostPort(18080))
            .addPortMappings(
                PortMapping.newBuilder().setProtocol(Protocol.UDP).setContainerPort(53))
            .putLabels("app", "web")
            .putLabels(CriLabels.POD_NAME, "web-0")
            .putLabels(CriLabels.POD_NAMESPACE, NS)
            .putLabels(CriLabels.POD_UID, uid)
            .putAnnotations("note", "golden")
            .setLinux(
                LinuxPodSandboxConfig.newBuilder()
                    .setCgroupParent("/kubepods/burstable/pod" + uid)
                    .setResources(
                        LinuxContainerResources.newBuilder()
                            .setCpuShares(256)
                            .setCpuPeriod(100000)
                            .setCpuQuota(50000)
                            .setMemoryLimitInBytes(128L << 20))
                    .setSecurityContext(
                        LinuxSandboxSecurityContext.newBuilder()
                            .setNamespaceOptions(
                                NamespaceOption.newBuilder()
                                    .setNetwork(NamespaceMode.POD)
                                    .setPid(NamespaceMode.CONTAINER)
                                    .setIpc(NamespaceMode.POD))
                            .setSeccomp(
                                SecurityProfile.newBuilder()
                                    .setProfileType(SecurityProfile.ProfileType.Unconfined))
                            .addSupplementalGroups(2000))
                    .putSysctls("net.ipv4.ip_unprivileged_port_start", "0"))
            .build();
    assertThat(sandbox).isEqualTo(expected);
    assertThat(logDir).isDirectory();
  }

  @Test
  void goldenContainerConfig() throws Exception {
    Pod pod = webPod();
    String uid = pod.getMetadata().getUid();
    Container app = pod.getSpec().getContainers().get(0);
    config.setUpVolumes(pod);
    PodSandboxConfig sandbox = config.sandboxConfig(pod, 0);

    ContainerConfig container = config.containerConfig(pod, app, sandbox, "10.42.0.7", 3);

    Path podDir = tmp.resolve("data/agent/pods").resolve(uid);
    Path terminationFile =
        podDir.resolve("containers/app").resolve(String.format("%08x", new Random(42).nextInt()));
    ContainerConfig expected =
        ContainerConfig.newBuilder()
            .setMetadata(ContainerMetadata.newBuilder().setName("app").setAttempt(3))
            .setImage(
                ImageSpec.newBuilder()
                    .setImage("registry.local/web:1.0")
                    .setUserSpecifiedImage("registry.local/web:1.0"))
            .addAllCommand(
                List.of("sh", "-c", "echo hello world from $(POD_NAME) $(HOME) $(UNDEFINED)"))
            .addAllArgs(List.of("--port=8080", "--backend=10.43.77.7"))
            .setWorkingDir("/srv")
            .addAllEnvs(container.getEnvsList())
            .addMounts(
                Mount.newBuilder()
                    .setContainerPath("/etc/app")
                    .setHostPath(podDir.resolve("volumes/kubernetes.io~configmap/cfg").toString())
                    .setReadonly(true))
            .addMounts(
                Mount.newBuilder()
                    .setContainerPath("/data")
                    .setHostPath(
                        podDir
                            .resolve("volumes/kubernetes.io~empty-dir/data/logs")
                            .toRealPath()
                            .toString())
                    .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER))
            .addMounts(
                Mount.newBuilder()
                    .setContainerPath("/etc/hosts")
                    .setHostPath(podDir.resolve("etc-hosts").toString()))
            .addMounts(
                Mount.newBuilder()
                    .setContainerPath("/dev/termination-log")
                    .setHostPath(terminationFile.toString()))
            .putLabels(CriLabels.POD_NAME, "web-0")
            .putLabels(CriLabels.POD_NAMESPACE, NS)
            .putLabels(CriLabels.POD_UID, uid)
            .putLabels(CriLabels.CONTAINER_NAME, "app")
            .putAnnotations(CriLabels.CONTAINER_HASH, DefaultPodRuntimeConfig.containerHash(app))
            .putAnnotations(CriLabels.RESTART_COUNT, "3")
            .putAnnotations(CriLabels.TERMINATION_MESSAGE_PATH, "/dev/termination-log")
            .putAnnotations(CriLabels.TERMINATION_MESSAGE_POLICY, "FallbackToLogsOnError")
            .putAnnotations(CriLabels.TERMINATION_GRACE_PERIOD, "30")
            .setLogPath("app/3.log")
            .setLinux(
                LinuxContainerConfig.newBuilder()
                    .setResources(
                        LinuxContainerResources.newBuilder()
                            .setCpuShares(256)
                            .setCpuPeriod(100000)
                            .setCpuQuota(50000)
                            .setMemoryLimitInBytes(128L << 20)
                            .setOomScoreAdj(1000 - (1000 * (64L << 20)) / (8 * GI)))
                    .setSecurityContext(
                        LinuxContainerSecurityContext.newBuilder()
                            .setNamespaceOptions(
                                NamespaceOption.newBuilder()
                                    .setNetwork(NamespaceMode.POD)
                                    .setPid(NamespaceMode.CONTAINER)
                                    .setIpc(NamespaceMode.POD))
                            .setSeccomp(
                                SecurityProfile.newBuilder()
                                    .setProfileType(SecurityProfile.ProfileType.Unconfined))
                            .addSupplementalGroups(2000)
                            .setNoNewPrivs(true)
                            .setCapabilities(
                                dev.skiff.kubelet.cri.v1.Capability.newBuilder()
                                    .addDropCapabilities("ALL"))
                            .addAllMaskedPaths(SecurityContexts.DEFAULT_MASKED_PATHS)
                            .addAllReadonlyPaths(SecurityContexts.DEFAULT_READONLY_PATHS)))
            .build();
    assertThat(container).isEqualTo(expected);

    Map<String, String> env = new LinkedHashMap<>();
    container.getEnvsList().forEach(kv -> env.put(kv.getKey(), kv.getValue()));
    assertThat(env)
        .containsExactlyEntriesOf(
            orderedMap(
                // envFrom keys in the configMap's (sorted) order; the prefix makes "1st" valid
                "CFG_1st", "first",
                "CFG_MODE", "fast",
                "CFG_who", "world",
                "PORT", "8080",
                "WHO", "world",
                "GREETING", "hello world from $(POD_NAME)",
                "POD_NAME", "web-0",
                "BACK_END_SERVICE_HOST", "10.43.77.7",
                "BACK_END_SERVICE_PORT", "80",
                "BACK_END_SERVICE_PORT_HTTP", "80",
                "BACK_END_PORT", "tcp://10.43.77.7:80",
                "BACK_END_PORT_80_TCP", "tcp://10.43.77.7:80",
                "BACK_END_PORT_80_TCP_PROTO", "tcp",
                "BACK_END_PORT_80_TCP_PORT", "80",
                "BACK_END_PORT_80_TCP_ADDR", "10.43.77.7",
                "KUBERNETES_SERVICE_HOST", "10.43.0.1",
                "KUBERNETES_SERVICE_PORT", "443",
                "KUBERNETES_SERVICE_PORT_HTTPS", "443",
                "KUBERNETES_PORT", "tcp://10.43.0.1:443",
                "KUBERNETES_PORT_443_TCP", "tcp://10.43.0.1:443",
                "KUBERNETES_PORT_443_TCP_PROTO", "tcp",
                "KUBERNETES_PORT_443_TCP_PORT", "443",
                "KUBERNETES_PORT_443_TCP_ADDR", "10.43.0.1"));
    assertThat(terminationFile).isRegularFile().isEmptyFile();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(terminationFile)))
        .isEqualTo("rw-rw-rw-");
    assertThat(Files.readString(podDir.resolve("etc-hosts")))
        .isEqualTo(
            """
            # Kubernetes-managed hosts file.
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters
            10.42.0.7\tweb-0.web.shop.svc.cluster.local\tweb-0
            """);
  }

  private static Map<String, String> orderedMap(String... keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  private Map<String, String> env(Pod pod, String podIp) throws PodConfigException {
    ContainerConfig container =
        config.containerConfig(
            pod,
            pod.getSpec().getContainers().get(0),
            PodSandboxConfig.getDefaultInstance(),
            podIp,
            0);
    Map<String, String> env = new LinkedHashMap<>();
    for (KeyValue kv : container.getEnvsList()) {
      env.put(kv.getKey(), kv.getValue());
    }
    return env;
  }

  private static Container withEnv(EnvVar... vars) {
    return new ContainerBuilder().withName("c").withImage("busybox").withEnv(vars).build();
  }

  private static EnvVar field(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  @Test
  void downwardApiEnvironment() throws PodConfigException {
    Container c =
        new ContainerBuilder(
                withEnv(
                    field("NAME", "metadata.name"),
                    field("NS", "metadata.namespace"),
                    field("UID", "metadata.uid"),
                    field("TIER", "metadata.labels['tier']"),
                    field("LABELS", "metadata.labels"),
                    field("OWNER", "metadata.annotations['owner']"),
                    field("NODE", "spec.nodeName"),
                    field("SA", "spec.serviceAccountName"),
                    field("HOST_IP", "status.hostIP"),
                    field("HOST_IPS", "status.hostIPs"),
                    field("POD_IP", "status.podIP"),
                    field("POD_IPS", "status.podIPs"),
                    new EnvVarBuilder()
                        .withName("CPU_LIMIT")
                        .withNewValueFrom()
                        .withNewResourceFieldRef()
                        .withResource("limits.cpu")
                        .withDivisor(new Quantity("1m"))
                        .endResourceFieldRef()
                        .endValueFrom()
                        .build(),
                    new EnvVarBuilder()
                        .withName("MEM_REQUEST")
                        .withNewValueFrom()
                        .withNewResourceFieldRef()
                        .withResource("requests.memory")
                        .withDivisor(new Quantity("1Mi"))
                        .endResourceFieldRef()
                        .endValueFrom()
                        .build()))
            .withNewResources()
            .addToRequests("memory", new Quantity("100Mi"))
            .endResources()
            .build();
    Pod pod =
        pod("dw", c)
            .editMetadata()
            .addToLabels("tier", "front")
            .addToAnnotations("owner", "team-a")
            .endMetadata()
            .build();

    Map<String, String> env = env(pod, "10.42.0.9");

    assertThat(env)
        .containsEntry("NAME", "dw")
        .containsEntry("NS", NS)
        .containsEntry("UID", pod.getMetadata().getUid())
        .containsEntry("TIER", "front")
        .containsEntry("LABELS", "tier=\"front\"")
        .containsEntry("OWNER", "team-a")
        .containsEntry("NODE", "node-a")
        .containsEntry("SA", "builder")
        .containsEntry("HOST_IP", "192.168.1.5")
        .containsEntry("HOST_IPS", "192.168.1.5")
        .containsEntry("POD_IP", "10.42.0.9")
        .containsEntry("POD_IPS", "10.42.0.9")
        .containsEntry("CPU_LIMIT", "3500")
        .containsEntry("MEM_REQUEST", "100");
  }

  @Test
  void secretsEnvFromWithPrefixAndOptionalReferences() throws PodConfigException {
    Container c =
        new ContainerBuilder(
                withEnv(
                    new EnvVarBuilder()
                        .withName("PASSWORD")
                        .withNewValueFrom()
                        .withNewSecretKeyRef("password", "creds", false)
                        .endValueFrom()
                        .build(),
                    new EnvVarBuilder()
                        .withName("MAYBE")
                        .withNewValueFrom()
                        .withNewConfigMapKeyRef("absent", "settings", true)
                        .endValueFrom()
                        .build(),
                    new EnvVarBuilder()
                        .withName("MAYBE_CM")
                        .withNewValueFrom()
                        .withNewConfigMapKeyRef("k", "no-such", true)
                        .endValueFrom()
                        .build(),
                    new EnvVarBuilder().withName("MODE").withValue("override").build()))
            .addNewEnvFrom()
            .withNewSecretRef()
            .withName("creds")
            .endSecretRef()
            .withPrefix("S_")
            .endEnvFrom()
            .addNewEnvFrom()
            .withNewConfigMapRef()
            .withName("settings")
            .endConfigMapRef()
            .endEnvFrom()
            .addNewEnvFrom()
            .withNewConfigMapRef()
            .withName("not-there")
            .withOptional(true)
            .endConfigMapRef()
            .endEnvFrom()
            .build();

    Map<String, String> env = env(pod("sec", c).build(), "10.42.0.9");

    assertThat(env)
        .containsEntry("S_password", "hunter2")
        .containsEntry("S_USER", "admin")
        .containsEntry("who", "world")
        .containsEntry("PASSWORD", "hunter2")
        .containsEntry("MODE", "override")
        .doesNotContainKeys("MAYBE", "MAYBE_CM", "1st");
  }

  @Test
  void missingReferencesAreCreateContainerConfigErrors() {
    record Case(EnvVar var, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                new EnvVarBuilder()
                    .withName("A")
                    .withNewValueFrom()
                    .withNewConfigMapKeyRef("k", "nope", false)
                    .endValueFrom()
                    .build(),
                "configmap \"nope\" not found"),
            new Case(
                new EnvVarBuilder()
                    .withName("A")
                    .withNewValueFrom()
                    .withNewConfigMapKeyRef("k", "settings", false)
                    .endValueFrom()
                    .build(),
                "couldn't find key k in ConfigMap shop/settings"),
            new Case(
                new EnvVarBuilder()
                    .withName("A")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("k", "nope", false)
                    .endValueFrom()
                    .build(),
                "secret \"nope\" not found"),
            new Case(
                new EnvVarBuilder()
                    .withName("A")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("k", "creds", false)
                    .endValueFrom()
                    .build(),
                "couldn't find key k in Secret shop/creds"),
            new Case(
                field("A", "spec.restartPolicy"), "unsupported fieldPath: spec.restartPolicy"));
    for (Case c : cases) {
      Pod pod = pod("err", withEnv(c.var())).build();
      assertThatThrownBy(() -> env(pod, "10.42.0.9"))
          .isInstanceOfSatisfying(
              PodConfigException.class,
              e -> assertThat(e.reason()).isEqualTo("CreateContainerConfigError"))
          .hasMessage(c.message());
    }
  }

  @Test
  void disabledServiceLinksKeepOnlyTheKubernetesService() throws PodConfigException {
    Pod pod = pod("nolinks", withEnv()).editSpec().withEnableServiceLinks(false).endSpec().build();

    Map<String, String> env = env(pod, "10.42.0.9");

    assertThat(env)
        .containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.1")
        .doesNotContainKey("BACK_END_SERVICE_HOST");
    assertThat(env.keySet()).noneMatch(k -> k.startsWith("HEADLESS"));
  }

  @Test
  void subPathExprAndUnsafeSubPaths() throws Exception {
    Container c =
        new ContainerBuilder(withEnv(field("POD", "metadata.name")))
            .addNewVolumeMount()
            .withName("logs")
            .withMountPath("/logs")
            .withSubPathExpr("$(POD)/out")
            .endVolumeMount()
            .build();
    Pod pod =
        pod("expr", c)
            .editSpec()
            .addToVolumes(
                new VolumeBuilder().withName("logs").withNewEmptyDir().endEmptyDir().build())
            .endSpec()
            .build();
    config.setUpVolumes(pod);

    ContainerConfig container =
        config.containerConfig(pod, c, PodSandboxConfig.getDefaultInstance(), "10.42.0.9", 0);

    Path expected =
        tmp.resolve("data/agent/pods")
            .resolve(pod.getMetadata().getUid())
            .resolve("volumes/kubernetes.io~empty-dir/logs/expr/out");
    assertThat(container.getMounts(0).getHostPath()).isEqualTo(expected.toRealPath().toString());
    assertThat(expected).isDirectory();

    Path volume = expected.getParent().getParent();
    Files.createSymbolicLink(volume.resolve("escape"), Path.of("/etc"));
    record Case(String subPath, String subPathExpr, String message) {}
    for (Case bad :
        List.of(
            new Case("/abs", null, "error SubPath `/abs` must not be an absolute path"),
            new Case(
                "a/../../b",
                null,
                "unable to provision SubPath `a/../../b`: must not contain '..'"),
            new Case(
                "escape",
                null,
                "failed to prepare subPath for volumeMount \"logs\" of container \"c\""),
            new Case(null, "$(MISSING)/x", "missing value for MISSING"))) {
      Container badContainer =
          new ContainerBuilder(c)
              .withVolumeMounts(
                  new VolumeMountBuilder()
                      .withName("logs")
                      .withMountPath("/logs")
                      .withSubPath(bad.subPath())
                      .withSubPathExpr(bad.subPathExpr())
                      .build())
              .build();
      assertThatThrownBy(
              () ->
                  config.containerConfig(
                      pod, badContainer, PodSandboxConfig.getDefaultInstance(), "10.42.0.9", 0))
          .isInstanceOf(PodConfigException.class)
          .hasMessage(bad.message());
    }
  }

  @Test
  void hostNetworkPodGetsNodeHostnameNodeNamespacesHostDnsAndHostsFile() throws Exception {
    Container c =
        new ContainerBuilder(withEnv())
            .addNewVolumeMount()
            .withName("v")
            .withMountPath("/v")
            .withReadOnly(true)
            .endVolumeMount()
            .build();
    Pod pod =
        pod("hostnet", c)
            .editSpec()
            .withHostNetwork(true)
            .addNewHostAlias()
            .withIp("10.1.1.1")
            .withHostnames("db", "db.local")
            .endHostAlias()
            .addToVolumes(
                new VolumeBuilder()
                    .withName("v")
                    .withNewHostPath()
                    .withPath(tmp.toString())
                    .endHostPath()
                    .build())
            .endSpec()
            .build();

    PodSandboxConfig sandbox = config.sandboxConfig(pod, 0);
    ContainerConfig container = config.containerConfig(pod, c, sandbox, "192.168.1.5", 0);

    assertThat(sandbox.getHostname()).isEqualTo("node-a.lan");
    assertThat(sandbox.getLinux().getSecurityContext().getNamespaceOptions().getNetwork())
        .isEqualTo(NamespaceMode.NODE);
    assertThat(sandbox.getDnsConfig().getServersList()).containsExactly("192.168.1.1");
    assertThat(sandbox.getDnsConfig().getSearchesList()).containsExactly("host.example");
    assertThat(sandbox.getDnsConfig().getOptionsList()).containsExactly("timeout:2");
    assertThat(sandbox.getLinux().getCgroupParent())
        .isEqualTo("/kubepods/besteffort/pod" + pod.getMetadata().getUid());
    assertThat(container.getMounts(0))
        .isEqualTo(
            Mount.newBuilder()
                .setContainerPath("/v")
                .setHostPath(tmp.toString())
                .setReadonly(true)
                .build());
    Path hosts = Path.of(container.getMounts(1).getHostPath());
    assertThat(container.getMounts(1).getContainerPath()).isEqualTo("/etc/hosts");
    assertThat(Files.readString(hosts))
        .isEqualTo(
            "# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n192.168.1.5\tnode-a\n"
                + "\n# Entries added by HostAliases.\n10.1.1.1\tdb\tdb.local\n");
  }

  @Test
  void ownEtcHostsMountReplacesTheManagedOneAndEmptyTerminationPathIsTheDefault() throws Exception {
    Container c =
        new ContainerBuilder(withEnv())
            .withTerminationMessagePath("")
            .addNewVolumeMount()
            .withName("h")
            .withMountPath("/etc/hosts")
            .endVolumeMount()
            .build();
    Pod pod =
        pod("own-hosts", c)
            .editSpec()
            .addToVolumes(new VolumeBuilder().withName("h").withNewEmptyDir().endEmptyDir().build())
            .endSpec()
            .build();

    ContainerConfig container =
        config.containerConfig(pod, c, PodSandboxConfig.getDefaultInstance(), "10.42.0.9", 0);

    assertThat(container.getMountsList())
        .extracting(Mount::getContainerPath)
        .containsExactly("/etc/hosts", "/dev/termination-log");
    assertThat(container.getMounts(0).getHostPath()).endsWith("kubernetes.io~empty-dir/h");
  }

  @Test
  void guaranteedAndBestEffortCgroupParentsAndRunAsUser() throws PodConfigException {
    Container guaranteed =
        new ContainerBuilder(withEnv())
            .withNewResources()
            .addToLimits("cpu", new Quantity("1"))
            .addToLimits("memory", new Quantity("1Gi"))
            .endResources()
            .build();
    Pod pod =
        pod("g", guaranteed)
            .editSpec()
            .withNewSecurityContext()
            .withRunAsUser(1000L)
            .withRunAsGroup(1000L)
            .endSecurityContext()
            .endSpec()
            .build();

    PodSandboxConfig sandbox = config.sandboxConfig(pod, 0);
    ContainerConfig container = config.containerConfig(pod, guaranteed, sandbox, "10.42.0.9", 0);

    assertThat(sandbox.getLinux().getCgroupParent())
        .isEqualTo("/kubepods/pod" + pod.getMetadata().getUid());
    assertThat(sandbox.getLinux().getSecurityContext().getRunAsUser())
        .isEqualTo(Int64Value.newBuilder().setValue(1000).build());
    assertThat(container.getLinux().getResources().getCpuShares()).isEqualTo(1024);
    assertThat(container.getLinux().getResources().getCpuQuota()).isEqualTo(100000);
    assertThat(container.getLinux().getResources().getOomScoreAdj()).isEqualTo(-997);
    assertThat(container.getLinux().getSecurityContext().getRunAsUser().getValue()).isEqualTo(1000);
  }
}
