package dev.skiff.cli;

import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.Map;

/**
 * k3s' packaged {@code local-storage} component: the default {@code local-path} StorageClass
 * (provisioner {@code rancher.io/local-path}, WaitForFirstConsumer, reclaim Delete) whose volumes
 * the controller manager's built-in provisioner makes as directories under the storage path on the
 * chosen node. {@code --disable local-storage} turns both off.
 */
final class LocalStorage {
  static final String COMPONENT = "local-storage";
  static final String STORAGE_CLASS = "local-path";
  static final String PROVISIONER = "rancher.io/local-path";

  private LocalStorage() {}

  /** The directory volumes go under: the flag's value, else {@code <data-dir>/storage}. */
  static Path storagePath(Path flag, Path dataDir) {
    return flag != null ? flag : dataDir.resolve("storage");
  }

  static StorageClass storageClass() {
    return new StorageClassBuilder()
        .withNewMetadata()
        .withName(STORAGE_CLASS)
        .withAnnotations(Map.of("storageclass.kubernetes.io/is-default-class", "true"))
        .endMetadata()
        .withProvisioner(PROVISIONER)
        .withVolumeBindingMode("WaitForFirstConsumer")
        .withReclaimPolicy("Delete")
        .build();
  }

  /** Creates the class unless it exists; an existing one (perhaps edited) is left alone. */
  static void ensureStorageClass(KubernetesClient client) {
    try {
      client.storage().v1().storageClasses().resource(storageClass()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }
}
