package dev.skiff.controllers.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * The API calls of the volume binder: resourceVersion-guarded updates of volumes and claims (spec
 * and status), volume create/delete, and a live read of a claim the cache does not show.
 */
interface VolumeClient {
  PersistentVolume updateVolume(PersistentVolume volume);

  PersistentVolume updateVolumeStatus(PersistentVolume volume);

  PersistentVolume createVolume(PersistentVolume volume);

  void deleteVolume(PersistentVolume volume);

  PersistentVolumeClaim updateClaim(PersistentVolumeClaim claim);

  PersistentVolumeClaim updateClaimStatus(PersistentVolumeClaim claim);

  /** The claim as the API server has it now, empty when it does not exist. */
  Optional<PersistentVolumeClaim> getClaim(String namespace, String name);

  static VolumeClient of(KubernetesClient client) {
    return new VolumeClient() {
      @Override
      public PersistentVolume updateVolume(PersistentVolume volume) {
        return client.persistentVolumes().resource(volume).update();
      }

      @Override
      public PersistentVolume updateVolumeStatus(PersistentVolume volume) {
        return client.persistentVolumes().resource(volume).updateStatus();
      }

      @Override
      public PersistentVolume createVolume(PersistentVolume volume) {
        return client.persistentVolumes().resource(volume).create();
      }

      @Override
      public void deleteVolume(PersistentVolume volume) {
        try {
          client.persistentVolumes().withName(volume.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404) {
            throw e;
          }
        }
      }

      @Override
      public PersistentVolumeClaim updateClaim(PersistentVolumeClaim claim) {
        return client
            .persistentVolumeClaims()
            .inNamespace(claim.getMetadata().getNamespace())
            .resource(claim)
            .update();
      }

      @Override
      public PersistentVolumeClaim updateClaimStatus(PersistentVolumeClaim claim) {
        return client
            .persistentVolumeClaims()
            .inNamespace(claim.getMetadata().getNamespace())
            .resource(claim)
            .updateStatus();
      }

      @Override
      public Optional<PersistentVolumeClaim> getClaim(String namespace, String name) {
        return Optional.ofNullable(
            client.persistentVolumeClaims().inNamespace(namespace).withName(name).get());
      }
    };
  }
}
