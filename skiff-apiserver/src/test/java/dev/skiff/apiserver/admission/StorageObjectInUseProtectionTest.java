package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.AdminControlPlane;
import dev.skiff.apiserver.admission.AdmissionRequest.Operation;
import dev.skiff.apiserver.http.UserInfo;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.node.ObjectNode;

/** StorageObjectInUseProtection: the finalizers new claims and volumes get. */
class StorageObjectInUseProtectionTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static final ResourceCatalog CATALOG = ResourceCatalog.builtIn();
  private static final ResourceType CLAIMS =
      CATALOG.find("", "v1", "persistentvolumeclaims").orElseThrow();
  private static final ResourceType VOLUMES =
      CATALOG.find("", "v1", "persistentvolumes").orElseThrow();
  private static final ResourceType PODS = CATALOG.find("", "v1", "pods").orElseThrow();

  private final StorageObjectInUseProtection plugin = new StorageObjectInUseProtection();

  private static AdmissionRequest request(
      Operation operation, ResourceType type, String subresource, String json) {
    ObjectNode object = (ObjectNode) Json.MAPPER.readTree(json);
    return new AdmissionRequest(
        operation,
        type,
        subresource,
        type.namespaced() ? "default" : "",
        "x",
        object,
        operation == Operation.CREATE ? null : object.deepCopy(),
        UserInfo.ANONYMOUS,
        false);
  }

  private static List<String> finalizers(AdmissionRequest request) {
    return Json.MAPPER.convertValue(
        request.object().path("metadata").path("finalizers"),
        Json.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
  }

  @Test
  void newClaimGetsPvcProtectionAndNewVolumePvProtectionAfterTheirOwnFinalizers() {
    AdmissionRequest claim =
        request(
            Operation.CREATE,
            CLAIMS,
            "",
            "{\"metadata\":{\"name\":\"x\",\"finalizers\":[\"example.com/keep\"]}}");
    plugin.mutate(claim);
    assertThat(finalizers(claim))
        .containsExactly("example.com/keep", "kubernetes.io/pvc-protection");

    AdmissionRequest volume = request(Operation.CREATE, VOLUMES, "", "{}");
    plugin.mutate(volume);
    assertThat(finalizers(volume)).containsExactly("kubernetes.io/pv-protection");
  }

  @Test
  void finalizerAlreadyThereIsNotRepeated() {
    AdmissionRequest claim =
        request(
            Operation.CREATE,
            CLAIMS,
            "",
            "{\"metadata\":{\"finalizers\":[\"kubernetes.io/pvc-protection\"]}}");
    plugin.mutate(claim);
    assertThat(finalizers(claim)).containsExactly("kubernetes.io/pvc-protection");
  }

  @Test
  void updatesSubresourcesAndOtherKindsAreLeftAlone() {
    AdmissionRequest update =
        request(Operation.UPDATE, CLAIMS, "", "{\"metadata\":{\"name\":\"x\"}}");
    plugin.mutate(update);
    assertThat(update.object().path("metadata").has("finalizers")).isFalse();

    AdmissionRequest status = request(Operation.CREATE, VOLUMES, "status", "{}");
    plugin.mutate(status);
    assertThat(status.object().has("metadata")).isFalse();

    AdmissionRequest pod = request(Operation.CREATE, PODS, "", "{\"metadata\":{}}");
    plugin.mutate(pod);
    assertThat(pod.object().path("metadata").has("finalizers")).isFalse();
  }

  @Test
  void throughTheApiClaimsAndVolumesAreCreatedWithTheirProtectionFinalizer() {
    var claim =
        cluster
            .admin()
            .persistentVolumeClaims()
            .inNamespace("default")
            .resource(
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName("protected")
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName("")
                    .withNewResources()
                    .addToRequests("storage", new Quantity("1Gi"))
                    .endResources()
                    .endSpec()
                    .build())
            .create();
    assertThat(claim.getMetadata().getFinalizers()).containsExactly("kubernetes.io/pvc-protection");

    var volume =
        cluster
            .admin()
            .persistentVolumes()
            .resource(
                new PersistentVolumeBuilder()
                    .withNewMetadata()
                    .withName("protected-pv")
                    .endMetadata()
                    .withNewSpec()
                    .addToCapacity("storage", new Quantity("1Gi"))
                    .withAccessModes("ReadWriteOnce")
                    .withNewHostPath()
                    .withPath("/srv/protected")
                    .endHostPath()
                    .endSpec()
                    .build())
            .create();
    assertThat(volume.getMetadata().getFinalizers()).containsExactly("kubernetes.io/pv-protection");

    // deleting leaves them Terminating until a controller removes the finalizer
    cluster.admin().persistentVolumes().withName("protected-pv").delete();
    var terminating = cluster.admin().persistentVolumes().withName("protected-pv").get();
    assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
  }
}
