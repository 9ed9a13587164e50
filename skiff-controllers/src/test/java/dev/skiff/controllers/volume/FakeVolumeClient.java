package dev.skiff.controllers.volume;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Writes into the caches the controller reads, as the informers would deliver them, with the API
 * server's optimistic concurrency (a stale resourceVersion is a conflict); records every call.
 */
final class FakeVolumeClient implements VolumeClient {
  private final CacheImpl<PersistentVolume> volumes;
  private final CacheImpl<PersistentVolumeClaim> claims;
  private final Consumer<HasMetadata> changed;
  private final List<String> calls = new ArrayList<>();
  private long revision = 100;

  FakeVolumeClient(
      CacheImpl<PersistentVolume> volumes,
      CacheImpl<PersistentVolumeClaim> claims,
      Consumer<HasMetadata> changed) {
    this.volumes = volumes;
    this.claims = claims;
    this.changed = changed;
  }

  List<String> calls() {
    return List.copyOf(calls);
  }

  @Override
  public PersistentVolume updateVolume(PersistentVolume volume) {
    return writeVolume("updateVolume", volume);
  }

  @Override
  public PersistentVolume updateVolumeStatus(PersistentVolume volume) {
    return writeVolume("updateVolumeStatus", volume);
  }

  @Override
  public PersistentVolume createVolume(PersistentVolume volume) {
    if (volumes.getByKey(volume.getMetadata().getName()) != null) {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("exists", 409, null);
    }
    calls.add("createVolume " + volume.getMetadata().getName());
    PersistentVolume stored = new PersistentVolumeBuilder(volume).build();
    stored.getMetadata().setResourceVersion(String.valueOf(++revision));
    stored.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeStatus());
    stored.getStatus().setPhase("Pending");
    volumes.put(stored);
    changed.accept(stored);
    return stored;
  }

  @Override
  public void deleteVolume(PersistentVolume volume) {
    calls.add("deleteVolume " + volume.getMetadata().getName());
    PersistentVolume gone = volumes.getByKey(volume.getMetadata().getName());
    if (gone != null) {
      volumes.remove(gone);
    }
  }

  @Override
  public PersistentVolumeClaim updateClaim(PersistentVolumeClaim claim) {
    return writeClaim("updateClaim", claim);
  }

  @Override
  public PersistentVolumeClaim updateClaimStatus(PersistentVolumeClaim claim) {
    return writeClaim("updateClaimStatus", claim);
  }

  @Override
  public Optional<PersistentVolumeClaim> getClaim(String namespace, String name) {
    return Optional.ofNullable(claims.getByKey(namespace + "/" + name));
  }

  private PersistentVolume writeVolume(String call, PersistentVolume volume) {
    PersistentVolume current = volumes.getByKey(volume.getMetadata().getName());
    checkVersion(current, volume);
    calls.add(call + " " + volume.getMetadata().getName());
    PersistentVolume stored = new PersistentVolumeBuilder(volume).build();
    stored.getMetadata().setResourceVersion(String.valueOf(++revision));
    volumes.put(stored);
    changed.accept(stored);
    return stored;
  }

  private PersistentVolumeClaim writeClaim(String call, PersistentVolumeClaim claim) {
    String key = claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName();
    PersistentVolumeClaim current = claims.getByKey(key);
    checkVersion(current, claim);
    calls.add(call + " " + key);
    PersistentVolumeClaim stored = new PersistentVolumeClaimBuilder(claim).build();
    stored.getMetadata().setResourceVersion(String.valueOf(++revision));
    claims.put(stored);
    changed.accept(stored);
    return stored;
  }

  private static void checkVersion(HasMetadata current, HasMetadata written) {
    if (current == null) {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("not found", 404, null);
    }
    if (!Objects.equals(
        current.getMetadata().getResourceVersion(), written.getMetadata().getResourceVersion())) {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("conflict", 409, null);
    }
  }
}
