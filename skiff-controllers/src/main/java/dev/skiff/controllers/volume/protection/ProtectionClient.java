package dev.skiff.controllers.volume.protection;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * The API calls of the protection controllers: resourceVersion-guarded updates of a claim's or a
 * volume's finalizers, and a live list of a namespace's pods.
 */
interface ProtectionClient {
  void updateClaim(PersistentVolumeClaim claim);

  void updateVolume(PersistentVolume volume);

  /** The pods of {@code namespace} as the API server has them now. */
  List<Pod> listPods(String namespace);

  static ProtectionClient of(KubernetesClient client) {
    return new ProtectionClient() {
      @Override
      public void updateClaim(PersistentVolumeClaim claim) {
        client
            .persistentVolumeClaims()
            .inNamespace(claim.getMetadata().getNamespace())
            .resource(claim)
            .update();
      }

      @Override
      public void updateVolume(PersistentVolume volume) {
        client.persistentVolumes().resource(volume).update();
      }

      @Override
      public List<Pod> listPods(String namespace) {
        return client.pods().inNamespace(namespace).list().getItems();
      }
    };
  }
}
