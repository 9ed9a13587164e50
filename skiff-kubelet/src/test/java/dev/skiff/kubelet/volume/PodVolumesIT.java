package dev.skiff.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.kubelet.pod.PodConfigException;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volumes set up on this machine (tmpfs mounts as root, inside a temp dir) from objects in the
 * in-process API server.
 */
class PodVolumesIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "default";

  @TempDir Path tmp;
  private KubernetesClient client;
  private PodVolumes volumes;
  private final Mounts mounts = new Mounts();
  private final List<String> pods = new ArrayList<>();
  private final List<String> issuedFor = new ArrayList<>();

  @BeforeEach
  void setUp() {
    client = cluster.client();
    ServiceAccountTokens tokens =
        new ServiceAccountTokens(
            (namespace, serviceAccount, request) -> {
              issuedFor.add(
                  namespace + "/" + serviceAccount + " aud=" + request.getSpec().getAudiences());
              return new TokenRequestBuilder(request)
                  .withNewStatus()
                  .withToken("token-for-" + request.getSpec().getBoundObjectRef().getName())
                  .withExpirationTimestamp(Instant.now().plusSeconds(3600).toString())
                  .endStatus()
                  .build();
            },
            InstantSource.system());
    volumes =
        new PodVolumes(
            tmp.resolve("pods"),
            client,
            Map.of("memory", new Quantity("2Gi")),
            tokens,
            mounts,
            InstantSource.system());
  }

  @AfterEach
  void tearDown() throws IOException {
    for (String uid : pods) {
      volumes.tearDown(uid);
    }
    assertThat(mounts.mountPointsUnder(tmp)).isEmpty();
  }

  private Pod pod(String name, Volume... podVolumes) {
    String uid = UUID.randomUUID().toString();
    pods.add(uid);
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withUid(uid)
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withNewResources()
        .addToLimits("memory", new Quantity("64Mi"))
        .endResources()
        .endContainer()
        .withVolumes(podVolumes)
        .endSpec()
        .build();
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String read(Path path) throws IOException {
    return Files.readString(path, StandardCharsets.UTF_8);
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private String mountOptions(Path dir) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .filter(line -> line.split(" ")[4].equals(dir.toString()))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void emptyDirOnDiskIsAWorldWritableDirectory() throws Exception {
    Pod pod =
        pod(
            "scratch",
            new VolumeBuilder().withName("cache").withNewEmptyDir().endEmptyDir().build());

    MountedVolume cache = volumes.setUp(pod).get("cache");

    assertThat(cache.hostPath())
        .isEqualTo(
            tmp.resolve("pods")
                .resolve(pod.getMetadata().getUid())
                .resolve("volumes/kubernetes.io~empty-dir/cache"));
    assertThat(cache.hostPath()).isDirectory();
    assertThat(mode(cache.hostPath())).isEqualTo("rwxrwxrwx");
    assertThat(cache.readOnly()).isFalse();
    assertThat(mounts.isMountPoint(cache.hostPath())).isFalse();
  }

  @Test
  void memoryEmptyDirIsATmpfsOfItsSizeLimitAndIsUnmountedOnTearDown() throws Exception {
    Pod pod =
        pod(
            "ram",
            new VolumeBuilder()
                .withName("shm")
                .withNewEmptyDir()
                .withMedium("Memory")
                .withSizeLimit(new Quantity("8Mi"))
                .endEmptyDir()
                .build(),
            new VolumeBuilder()
                .withName("big")
                .withNewEmptyDir()
                .withMedium("Memory")
                .endEmptyDir()
                .build());

    Map<String, MountedVolume> ready = volumes.setUp(pod);
    volumes.setUp(pod);

    Path shm = ready.get("shm").hostPath();
    assertThat(mounts.isMountPoint(shm)).isTrue();
    assertThat(mountOptions(shm)).contains("tmpfs").contains("size=8192k");
    assertThat(mountOptions(ready.get("big").hostPath())).contains("size=65536k");
    Files.writeString(shm.resolve("f"), "in memory");
    assertThat(mounts.mountPointsUnder(tmp)).hasSize(2);

    volumes.tearDown(pod.getMetadata().getUid());
    pods.remove(pod.getMetadata().getUid());

    assertThat(mounts.mountPointsUnder(tmp)).isEmpty();
    assertThat(tmp.resolve("pods").resolve(pod.getMetadata().getUid())).doesNotExist();
  }

  @Test
  void hostPathTypeFailureIsFailedMount() throws Exception {
    Path file = Files.writeString(tmp.resolve("plain"), "x");
    Pod pod =
        pod(
            "host",
            new VolumeBuilder()
                .withName("ok")
                .withNewHostPath()
                .withPath(tmp.resolve("made").toString())
                .withType("DirectoryOrCreate")
                .endHostPath()
                .build(),
            new VolumeBuilder()
                .withName("bad")
                .withNewHostPath()
                .withPath(file.toString())
                .withType("Directory")
                .endHostPath()
                .build());

    assertThatThrownBy(() -> volumes.setUp(pod))
        .isInstanceOfSatisfying(
            PodConfigException.class, e -> assertThat(e.reason()).isEqualTo("FailedMount"))
        .hasMessage(
            "MountVolume.SetUp failed for volume \"bad\" : hostPath type check failed: "
                + file
                + " is not a directory");
    assertThat(tmp.resolve("made")).isDirectory();
    assertThat(volumes.volume(pod, "ok").hostPath()).isEqualTo(tmp.resolve("made"));
  }

  @Test
  void configMapItemsModesAndUpdatesPropagate() throws Exception {
    String name = unique("cm");
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToData("app.conf", "v1")
                .addToData("other", "o")
                .addToBinaryData("blob", Base64.getEncoder().encodeToString(new byte[] {0, 1, 2}))
                .build())
        .create();
    Pod all =
        pod(
            "all",
            new VolumeBuilder()
                .withName("cfg")
                .withNewConfigMap()
                .withName(name)
                .withDefaultMode(0600)
                .endConfigMap()
                .build());
    Pod items =
        pod(
            "items",
            new VolumeBuilder()
                .withName("cfg")
                .withNewConfigMap()
                .withName(name)
                .addNewItem()
                .withKey("app.conf")
                .withPath("conf/app.conf")
                .withMode(0400)
                .endItem()
                .endConfigMap()
                .build());

    Path allDir = volumes.setUp(all).get("cfg").hostPath();
    MountedVolume itemsVolume = volumes.setUp(items).get("cfg");

    assertThat(itemsVolume.readOnly()).isTrue();
    assertThat(read(allDir.resolve("app.conf"))).isEqualTo("v1");
    assertThat(Files.readAllBytes(allDir.resolve("blob"))).containsExactly(0, 1, 2);
    assertThat(mode(allDir.resolve("other"))).isEqualTo("rw-------");
    Path itemsDir = itemsVolume.hostPath();
    assertThat(read(itemsDir.resolve("conf/app.conf"))).isEqualTo("v1");
    assertThat(mode(itemsDir.resolve("conf/app.conf"))).isEqualTo("r--------");
    assertThat(itemsDir.resolve("other")).doesNotExist();
    assertThat(Files.isSymbolicLink(itemsDir.resolve("conf"))).isTrue();

    client
        .configMaps()
        .inNamespace(NS)
        .withName(name)
        .edit(
            cm ->
                new ConfigMapBuilder(cm)
                    .addToData("app.conf", "v2")
                    .removeFromData("other")
                    .build());
    volumes.setUp(all);
    volumes.setUp(items);

    assertThat(read(allDir.resolve("app.conf"))).isEqualTo("v2");
    assertThat(allDir.resolve("other")).doesNotExist();
    assertThat(read(itemsDir.resolve("conf/app.conf"))).isEqualTo("v2");
  }

  @Test
  void missingConfigMapOrKeyIsFailedMountUnlessOptional() throws Exception {
    String name = unique("cm");
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToData("a", "1")
                .build())
        .create();
    Pod missing =
        pod(
            "m",
            new VolumeBuilder()
                .withName("cfg")
                .withNewConfigMap()
                .withName("nope")
                .endConfigMap()
                .build());
    Pod missingKey =
        pod(
            "k",
            new VolumeBuilder()
                .withName("cfg")
                .withNewConfigMap()
                .withName(name)
                .addNewItem()
                .withKey("b")
                .withPath("b")
                .endItem()
                .endConfigMap()
                .build());
    Pod optional =
        pod(
            "o",
            new VolumeBuilder()
                .withName("cfg")
                .withNewConfigMap()
                .withName("nope")
                .withOptional(true)
                .endConfigMap()
                .build(),
            new VolumeBuilder()
                .withName("keys")
                .withNewConfigMap()
                .withName(name)
                .withOptional(true)
                .addNewItem()
                .withKey("b")
                .withPath("b")
                .endItem()
                .addNewItem()
                .withKey("a")
                .withPath("a")
                .endItem()
                .endConfigMap()
                .build());

    assertThatThrownBy(() -> volumes.setUp(missing))
        .hasMessage("MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found");
    assertThatThrownBy(() -> volumes.setUp(missingKey))
        .hasMessage(
            "MountVolume.SetUp failed for volume \"cfg\" : configmap references non-existent config key: b");
    Map<String, MountedVolume> ready = volumes.setUp(optional);
    try (var files = Files.list(ready.get("cfg").hostPath())) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("..")))
          .isEmpty();
    }
    assertThat(read(ready.get("keys").hostPath().resolve("a"))).isEqualTo("1");
    assertThat(ready.get("keys").hostPath().resolve("b")).doesNotExist();
  }

  @Test
  void secretIsDecodedOntoATmpfs() throws Exception {
    String name = unique("sec");
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToData(
                    "password",
                    Base64.getEncoder().encodeToString("hunter2".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    Pod pod =
        pod(
            "s",
            new VolumeBuilder()
                .withName("creds")
                .withNewSecret()
                .withSecretName(name)
                .withDefaultMode(0440)
                .endSecret()
                .build());
    Pod missing =
        pod(
            "s2",
            new VolumeBuilder()
                .withName("creds")
                .withNewSecret()
                .withSecretName("absent")
                .endSecret()
                .build());

    MountedVolume creds = volumes.setUp(pod).get("creds");

    assertThat(mounts.isMountPoint(creds.hostPath())).isTrue();
    assertThat(creds.hostPath().toString()).endsWith("volumes/kubernetes.io~secret/creds");
    assertThat(read(creds.hostPath().resolve("password"))).isEqualTo("hunter2");
    assertThat(mode(creds.hostPath().resolve("password"))).isEqualTo("r--r-----");
    assertThatThrownBy(() -> volumes.setUp(missing))
        .hasMessage("MountVolume.SetUp failed for volume \"creds\" : secret \"absent\" not found");
  }

  @Test
  void downwardApiVolumeHasLabelsAndResources() throws Exception {
    Pod pod =
        pod(
            "dw",
            new VolumeBuilder()
                .withName("info")
                .withNewDownwardAPI()
                .addNewItem()
                .withPath("labels")
                .withNewFieldRef()
                .withFieldPath("metadata.labels")
                .endFieldRef()
                .endItem()
                .addNewItem()
                .withPath("mem")
                .withNewResourceFieldRef()
                .withContainerName("app")
                .withResource("limits.memory")
                .withDivisor(new Quantity("1Mi"))
                .endResourceFieldRef()
                .endItem()
                .endDownwardAPI()
                .build());

    Path dir = volumes.setUp(pod).get("info").hostPath();

    assertThat(read(dir.resolve("labels"))).isEqualTo("app=\"dw\"");
    assertThat(read(dir.resolve("mem"))).isEqualTo("64");
    assertThat(mounts.isMountPoint(dir)).isTrue();
  }

  @Test
  void projectedKubeApiAccessVolume() throws Exception {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("kube-root-ca.crt")
                .endMetadata()
                .addToData("ca.crt", "-----BEGIN CERTIFICATE-----\n")
                .build())
        .createOr(existing -> existing.update());
    Pod pod =
        pod(
            "proj",
            new VolumeBuilder()
                .withName("kube-api-access-x1")
                .withNewProjected()
                .withDefaultMode(0644)
                .addNewSource()
                .withNewServiceAccountToken()
                .withPath("token")
                .withExpirationSeconds(3607L)
                .endServiceAccountToken()
                .endSource()
                .addNewSource()
                .withNewConfigMap()
                .withName("kube-root-ca.crt")
                .addNewItem()
                .withKey("ca.crt")
                .withPath("ca.crt")
                .endItem()
                .endConfigMap()
                .endSource()
                .addNewSource()
                .withNewDownwardAPI()
                .addNewItem()
                .withPath("namespace")
                .withNewFieldRef()
                .withFieldPath("metadata.namespace")
                .endFieldRef()
                .endItem()
                .endDownwardAPI()
                .endSource()
                .endProjected()
                .build());

    Path dir = volumes.setUp(pod).get("kube-api-access-x1").hostPath();
    volumes.setUp(pod);

    assertThat(read(dir.resolve("token"))).isEqualTo("token-for-proj");
    assertThat(read(dir.resolve("ca.crt"))).isEqualTo("-----BEGIN CERTIFICATE-----\n");
    assertThat(read(dir.resolve("namespace"))).isEqualTo(NS);
    assertThat(issuedFor).containsExactly("default/default aud=[]");
  }

  @Test
  void projectedErrorsAreAggregated() {
    Pod pod =
        pod(
            "bad-proj",
            new VolumeBuilder()
                .withName("p")
                .withNewProjected()
                .addNewSource()
                .withNewConfigMap()
                .withName("no-cm")
                .endConfigMap()
                .endSource()
                .addNewSource()
                .withNewSecret()
                .withName("no-secret")
                .endSecret()
                .endSource()
                .addNewSource()
                .withNewSecret()
                .withName("optional-secret")
                .withOptional(true)
                .endSecret()
                .endSource()
                .endProjected()
                .build());

    assertThatThrownBy(() -> volumes.setUp(pod))
        .hasMessage(
            "MountVolume.SetUp failed for volume \"p\" : [configmap \"no-cm\" not found, secret \"no-secret\" not found]");
  }

  @Test
  void persistentVolumeClaimBoundToHostPathOrLocalVolume() throws Exception {
    String claim = unique("data");
    String pv = unique("pv");
    Path pvDir = Files.createDirectory(tmp.resolve("pv"));
    client
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(pv)
                .endMetadata()
                .withNewSpec()
                .addToCapacity("storage", new Quantity("1Gi"))
                .withAccessModes("ReadWriteOnce")
                .withNewHostPath()
                .withPath(pvDir.toString())
                .endHostPath()
                .endSpec()
                .build())
        .create();
    PersistentVolumeClaim created =
        client
            .persistentVolumeClaims()
            .inNamespace(NS)
            .resource(
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName(claim)
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withNewResources()
                    .addToRequests("storage", new Quantity("1Gi"))
                    .endResources()
                    .endSpec()
                    .build())
            .create();
    Pod pod =
        pod(
            "pvc",
            new VolumeBuilder()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName(claim)
                .withReadOnly(true)
                .endPersistentVolumeClaim()
                .build());

    assertThatThrownBy(() -> volumes.setUp(pod))
        .isInstanceOfSatisfying(
            PodConfigException.class, e -> assertThat(e.reason()).isEqualTo("FailedMount"))
        .hasMessage(
            "error processing PVC default/"
                + claim
                + ": PVC default/"
                + claim
                + " has non-bound phase (\"Pending\") or empty pvc.Spec.VolumeName (\"\")");

    PersistentVolumeClaim bound =
        client
            .persistentVolumeClaims()
            .inNamespace(NS)
            .withName(claim)
            .edit(
                c ->
                    new PersistentVolumeClaimBuilder(c)
                        .editSpec()
                        .withVolumeName(pv)
                        .endSpec()
                        .build());
    client
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(
            new PersistentVolumeClaimBuilder(bound)
                .withNewStatus()
                .withPhase("Bound")
                .endStatus()
                .build())
        .updateStatus();

    MountedVolume data = volumes.setUp(pod).get("data");

    assertThat(data.hostPath()).isEqualTo(pvDir);
    assertThat(data.readOnly()).isTrue();
    assertThat(created.getMetadata().getUid()).isNotEmpty();
  }

  @Test
  void missingClaimIsFailedMount() {
    Pod pod =
        pod(
            "pvc2",
            new VolumeBuilder()
                .withName("d")
                .withNewPersistentVolumeClaim()
                .withClaimName("ghost")
                .endPersistentVolumeClaim()
                .build());

    assertThatThrownBy(() -> volumes.setUp(pod))
        .hasMessage(
            "error processing PVC default/ghost: failed to fetch PVC from API server: persistentvolumeclaims \"ghost\" not found");
  }

  @Test
  void fsGroupOwnsEmptyDirsAndProjectedFiles() throws Exception {
    String name = unique("sec");
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToData(
                    "key", Base64.getEncoder().encodeToString("k".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    Pod pod =
        new PodBuilder(
                pod(
                    "fsgroup",
                    new VolumeBuilder().withName("scratch").withNewEmptyDir().endEmptyDir().build(),
                    new VolumeBuilder()
                        .withName("creds")
                        .withNewSecret()
                        .withSecretName(name)
                        .withDefaultMode(0400)
                        .endSecret()
                        .build()))
            .editSpec()
            .withNewSecurityContext()
            .withFsGroup(2345L)
            .endSecurityContext()
            .endSpec()
            .build();

    Map<String, MountedVolume> ready = volumes.setUp(pod);

    Path scratch = ready.get("scratch").hostPath();
    assertThat(Files.getAttribute(scratch, "unix:gid")).isEqualTo(2345);
    assertThat((Integer) Files.getAttribute(scratch, "unix:mode") & 07777).isEqualTo(02777);
    Path key = ready.get("creds").hostPath().resolve("key");
    assertThat(Files.getAttribute(key, "unix:gid")).isEqualTo(2345);
    assertThat(mode(key)).isEqualTo("r--r-----");
    Path data = ready.get("creds").hostPath().resolve("..data").toRealPath();
    volumes.setUp(pod);
    assertThat(ready.get("creds").hostPath().resolve("..data").toRealPath()).isEqualTo(data);
  }

  @Test
  void serviceAccountTokenFromTheTokenRequestApiIsBoundToThePod() throws Exception {
    String account = unique("sa");
    client
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata()
                .withName(account)
                .endMetadata()
                .build())
        .create();
    Pod pod =
        client
            .pods()
            .inNamespace(NS)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName(unique("tok"))
                    .endMetadata()
                    .withNewSpec()
                    .withServiceAccountName(account)
                    .addNewContainer()
                    .withName("app")
                    .withImage("busybox")
                    .endContainer()
                    .addNewVolume()
                    .withName("api")
                    .withNewProjected()
                    .addNewSource()
                    .withNewServiceAccountToken()
                    .withPath("token")
                    .withAudience("vault")
                    .withExpirationSeconds(3600L)
                    .endServiceAccountToken()
                    .endSource()
                    .endProjected()
                    .endVolume()
                    .endSpec()
                    .build())
            .create();
    pods.add(pod.getMetadata().getUid());
    PodVolumes real =
        new PodVolumes(
            tmp.resolve("pods"),
            client,
            Map.of(),
            new ServiceAccountTokens(client),
            mounts,
            InstantSource.system());

    Path token = real.setUp(pod).get("api").hostPath().resolve("token");

    String[] jwt = read(token).split("\\.");
    assertThat(jwt).hasSize(3);
    String claims = new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8);
    assertThat(claims)
        .contains("\"vault\"")
        .contains("system:serviceaccount:" + NS + ":" + account)
        .contains(pod.getMetadata().getUid());
  }
}
