package dev.skiff.controllers.volume;

import static dev.skiff.controllers.volume.PersistentVolumes.VOLUME_AVAILABLE;

import dev.skiff.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which volume a claim gets, as Kubernetes' PV controller chooses: volumes are grouped by their
 * access-mode sets, the groups that offer every mode the claim asks for are tried smallest set
 * first, and in a group the smallest volume that satisfies the request wins. A volume already
 * pointing at the claim (claimRef) is taken whatever its size.
 */
final class VolumeMatcher {
  private VolumeMatcher() {}

  /**
   * The best volume for the claim, or empty.
   *
   * @param delayBinding the claim's class binds on first consumer: only volumes already pointing at
   *     the claim qualify (the scheduler picks the others)
   */
  static Optional<PersistentVolume> findBestMatch(
      PersistentVolumeClaim claim, List<PersistentVolume> volumes, boolean delayBinding) {
    Map<Set<String>, List<PersistentVolume>> byModes = new LinkedHashMap<>();
    for (PersistentVolume volume : volumes) {
      List<String> modes = volume.getSpec() == null ? null : volume.getSpec().getAccessModes();
      byModes
          .computeIfAbsent(new TreeSet<>(modes == null ? List.of() : modes), k -> new ArrayList<>())
          .add(volume);
    }
    List<String> wanted =
        claim.getSpec() == null || claim.getSpec().getAccessModes() == null
            ? List.of()
            : claim.getSpec().getAccessModes();
    List<Set<String>> candidates = new ArrayList<>();
    for (Set<String> modes : byModes.keySet()) {
      if (modes.containsAll(wanted)) {
        candidates.add(modes);
      }
    }
    candidates.sort(Comparator.comparingInt(Set::size));
    for (Set<String> modes : candidates) {
      Optional<PersistentVolume> found = findInGroup(claim, byModes.get(modes), delayBinding);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static Optional<PersistentVolume> findInGroup(
      PersistentVolumeClaim claim, List<PersistentVolume> volumes, boolean delayBinding) {
    BigDecimal requested = PersistentVolumes.requestedStorage(claim);
    String requestedClass = PersistentVolumes.claimClass(claim);
    LabelSelector selector = claim.getSpec() == null ? null : claim.getSpec().getSelector();
    PersistentVolume smallest = null;
    BigDecimal smallestSize = null;
    for (PersistentVolume volume : volumes) {
      if (!PersistentVolumes.claimVolumeMode(claim).equals(PersistentVolumes.volumeMode(volume))
          || volume.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      if (PersistentVolumes.isVolumeBoundToClaim(volume, claim)) {
        return Optional.of(volume);
      }
      if (delayBinding
          || !VOLUME_AVAILABLE.equals(PersistentVolumes.volumePhase(volume))
          || volume.getSpec().getClaimRef() != null
          || selector != null && !Selectors.matches(selector, volume.getMetadata().getLabels())
          || !PersistentVolumes.volumeClass(volume).equals(requestedClass)) {
        continue;
      }
      BigDecimal size = PersistentVolumes.capacity(volume);
      if (size.compareTo(requested) >= 0
          && (smallestSize == null || size.compareTo(smallestSize) < 0)) {
        smallest = volume;
        smallestSize = size;
      }
    }
    return Optional.ofNullable(smallest);
  }

  /**
   * Why a volume the claim names in spec.volumeName cannot serve it, or empty when it can (the
   * reasons Kubernetes gives in its VolumeMismatch event).
   */
  static Optional<String> mismatch(PersistentVolume volume, PersistentVolumeClaim claim) {
    if (volume.getMetadata().getDeletionTimestamp() != null) {
      return Optional.of(
          "the volume is marked for deletion \"" + volume.getMetadata().getName() + "\"");
    }
    if (PersistentVolumes.capacity(volume).compareTo(PersistentVolumes.requestedStorage(claim))
        < 0) {
      return Optional.of("requested PV is too small");
    }
    if (!PersistentVolumes.volumeClass(volume).equals(PersistentVolumes.claimClass(claim))) {
      return Optional.of("storageClassName does not match");
    }
    if (!PersistentVolumes.claimVolumeMode(claim).equals(PersistentVolumes.volumeMode(volume))) {
      return Optional.of("incompatible volumeMode");
    }
    if (!PersistentVolumes.accessModesSatisfied(claim, volume)) {
      return Optional.of("incompatible accessMode");
    }
    return Optional.empty();
  }
}
