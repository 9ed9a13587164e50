package dev.skiff.controllers.volume;

import static dev.skiff.controllers.volume.PersistentVolumes.ANN_BETA_STORAGE_PROVISIONER;
import static dev.skiff.controllers.volume.PersistentVolumes.ANN_BIND_COMPLETED;
import static dev.skiff.controllers.volume.PersistentVolumes.ANN_BOUND_BY_CONTROLLER;
import static dev.skiff.controllers.volume.PersistentVolumes.ANN_DEFAULT_CLASS;
import static dev.skiff.controllers.volume.PersistentVolumes.ANN_PROVISIONED_BY;
import static dev.skiff.controllers.volume.PersistentVolumes.ANN_SELECTED_NODE;
import static dev.skiff.controllers.volume.PersistentVolumes.ANN_STORAGE_PROVISIONER;
import static dev.skiff.controllers.volume.PersistentVolumes.CLAIM_BOUND;
import static dev.skiff.controllers.volume.PersistentVolumes.CLAIM_LOST;
import static dev.skiff.controllers.volume.PersistentVolumes.CLAIM_PENDING;
import static dev.skiff.controllers.volume.PersistentVolumes.VOLUME_AVAILABLE;
import static dev.skiff.controllers.volume.PersistentVolumes.VOLUME_BOUND;
import static dev.skiff.controllers.volume.PersistentVolumes.VOLUME_FAILED;
import static dev.skiff.controllers.volume.PersistentVolumes.VOLUME_RELEASED;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.InstantSource;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Kubernetes' PersistentVolume controller (kube-controller-manager's persistentvolume-binder):
 * binds claims to volumes, asks provisioners for volumes, releases and reclaims volumes whose
 * claims are gone, and runs the built-in local-path provisioner. One queue serves both kinds: a key
 * with a namespace is a claim, a cluster-scoped key a volume.
 */
public final class PersistentVolumeController implements Reconciler {
  /** How often a claim still waiting for a volume is looked at again (Kubernetes' sync period). */
  static final Duration CLAIM_RESYNC = Duration.ofSeconds(15);

  static final String WAITING_FOR_FIRST_CONSUMER =
      "waiting for first consumer to be created before binding";
  static final String NO_VOLUME_NO_CLASS =
      "no persistent volumes available for this claim and no storage class is set";

  private final Indexer<PersistentVolume> volumes;
  private final Indexer<PersistentVolumeClaim> claims;
  private final Indexer<StorageClass> classes;
  private final Indexer<Node> nodes;
  private final VolumeClient api;
  private final EventRecorder events;
  private final EventRecorder provisionerEvents;
  private final Optional<LocalPathProvisioner> localPath;
  private final Consumer<ObjectKey> enqueue;
  private final InstantSource clock;

  PersistentVolumeController(
      Indexer<PersistentVolume> volumes,
      Indexer<PersistentVolumeClaim> claims,
      Indexer<StorageClass> classes,
      Indexer<Node> nodes,
      VolumeClient api,
      EventRecorder events,
      EventRecorder provisionerEvents,
      Optional<LocalPathProvisioner> localPath,
      Consumer<ObjectKey> enqueue,
      InstantSource clock) {
    this.volumes = volumes;
    this.claims = claims;
    this.classes = classes;
    this.nodes = nodes;
    this.api = api;
    this.events = events;
    this.provisionerEvents = provisionerEvents;
    this.localPath = localPath;
    this.enqueue = enqueue;
    this.clock = clock;
  }

  @Override
  public Result reconcile(ObjectKey key) {
    try {
      if (key.namespace().isEmpty()) {
        return syncVolume(key.name());
      }
      return syncClaim(key);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        // a newer version is on its way through the informer: sync again from it
        return Result.requeue();
      }
      throw e;
    }
  }

  // ---- claims ----

  private Result syncClaim(ObjectKey key) {
    PersistentVolumeClaim claim = claims.getByKey(key.cacheKey());
    if (claim == null) {
      return Result.done();
    }
    if (!PersistentVolumes.hasAnnotation(claim, ANN_BIND_COMPLETED)) {
      return syncUnboundClaim(claim);
    }
    return syncBoundClaim(claim);
  }

  private Result syncUnboundClaim(PersistentVolumeClaim claim) {
    String volumeName = claim.getSpec().getVolumeName();
    if (volumeName == null || volumeName.isEmpty()) {
      boolean delayBinding = delayBinding(claim);
      Optional<PersistentVolume> match =
          VolumeMatcher.findBestMatch(claim, volumes.list(), delayBinding);
      if (match.isPresent()) {
        bind(match.get(), claim);
        return Result.done();
      }
      if (assignDefaultStorageClass(claim)) {
        return Result.done();
      }
      if (delayBinding && !PersistentVolumes.hasAnnotation(claim, ANN_SELECTED_NODE)) {
        events.event(
            claim, EventRecorder.NORMAL, "WaitForFirstConsumer", WAITING_FOR_FIRST_CONSUMER);
      } else if (!PersistentVolumes.claimClass(claim).isEmpty()) {
        claim = provisionClaim(claim);
      } else {
        events.event(claim, EventRecorder.NORMAL, "FailedBinding", NO_VOLUME_NO_CLASS);
      }
      updateClaimStatus(claim, CLAIM_PENDING, null);
      return Result.requeueAfter(CLAIM_RESYNC);
    }
    PersistentVolume volume = volumes.getByKey(volumeName);
    if (volume == null) {
      updateClaimStatus(claim, CLAIM_PENDING, null);
      return Result.requeueAfter(CLAIM_RESYNC);
    }
    if (volume.getSpec().getClaimRef() == null) {
      Optional<String> mismatch = VolumeMatcher.mismatch(volume, claim);
      if (mismatch.isPresent()) {
        events.event(
            claim,
            EventRecorder.WARNING,
            "VolumeMismatch",
            "Cannot bind to requested volume \"" + volumeName + "\": " + mismatch.get());
        updateClaimStatus(claim, CLAIM_PENDING, null);
        return Result.requeueAfter(CLAIM_RESYNC);
      }
      bind(volume, claim);
      return Result.done();
    }
    if (PersistentVolumes.isVolumeBoundToClaim(volume, claim)) {
      bind(volume, claim);
      return Result.done();
    }
    if (!PersistentVolumes.hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) {
      // the user asked for a volume another claim holds: wait for it to be released
      updateClaimStatus(claim, CLAIM_PENDING, null);
      return Result.requeueAfter(CLAIM_RESYNC);
    }
    updateClaimPhaseWithEvent(
        claim,
        CLAIM_LOST,
        "ClaimMisbound",
        "Two claims are bound to the same volume, this one is bound incorrectly");
    return Result.done();
  }

  private Result syncBoundClaim(PersistentVolumeClaim claim) {
    String volumeName = claim.getSpec().getVolumeName();
    if (volumeName == null || volumeName.isEmpty()) {
      updateClaimPhaseWithEvent(
          claim,
          CLAIM_LOST,
          "ClaimLost",
          "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
      return Result.done();
    }
    PersistentVolume volume = volumes.getByKey(volumeName);
    if (volume == null) {
      updateClaimPhaseWithEvent(
          claim,
          CLAIM_LOST,
          "ClaimLost",
          "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
      return Result.done();
    }
    if (volume.getSpec().getClaimRef() == null
        || PersistentVolumes.isVolumeBoundToClaim(volume, claim)) {
      // bound claim whose volume came unbound (or has not caught up): bind it again
      bind(volume, claim);
      return Result.done();
    }
    updateClaimPhaseWithEvent(
        claim,
        CLAIM_LOST,
        "ClaimMisbound",
        "Two claims are bound to the same volume, this one is bound incorrectly");
    return Result.done();
  }

  private boolean delayBinding(PersistentVolumeClaim claim) {
    String className = PersistentVolumes.claimClass(claim);
    if (className.isEmpty()) {
      return false;
    }
    StorageClass storageClass = classes.getByKey(className);
    return storageClass != null
        && "WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode());
  }

  /**
   * A claim created with no class before any class was the default gets the default class now
   * (Kubernetes' retroactive default StorageClass assignment). An explicit "" is left alone.
   */
  private boolean assignDefaultStorageClass(PersistentVolumeClaim claim) {
    if (claim.getSpec().getStorageClassName() != null
        || PersistentVolumes.hasAnnotation(claim, PersistentVolumes.ANN_BETA_STORAGE_CLASS)) {
      return false;
    }
    Optional<StorageClass> defaultClass = defaultClass();
    if (defaultClass.isEmpty()) {
      return false;
    }
    PersistentVolumeClaim copy = copy(claim);
    copy.getSpec().setStorageClassName(defaultClass.get().getMetadata().getName());
    api.updateClaim(copy);
    return true;
  }

  /** The default class: the newest marked one, then the first by name. */
  private Optional<StorageClass> defaultClass() {
    StorageClass chosen = null;
    for (StorageClass storageClass : classes.list()) {
      if (!"true".equals(PersistentVolumes.annotation(storageClass, ANN_DEFAULT_CLASS))) {
        continue;
      }
      if (chosen == null || newer(storageClass, chosen)) {
        chosen = storageClass;
      }
    }
    return Optional.ofNullable(chosen);
  }

  private static boolean newer(StorageClass a, StorageClass b) {
    String createdA = Objects.requireNonNullElse(a.getMetadata().getCreationTimestamp(), "");
    String createdB = Objects.requireNonNullElse(b.getMetadata().getCreationTimestamp(), "");
    int byTime = createdA.compareTo(createdB);
    return byTime > 0
        || byTime == 0 && a.getMetadata().getName().compareTo(b.getMetadata().getName()) < 0;
  }

  /**
   * Marks the claim for its class's provisioner (the provisioner annotations) and says so in an
   * ExternalProvisioning event; runs the local-path provisioner for its own claims.
   */
  private PersistentVolumeClaim provisionClaim(PersistentVolumeClaim claim) {
    String className = PersistentVolumes.claimClass(claim);
    StorageClass storageClass = classes.getByKey(className);
    if (storageClass == null) {
      events.event(
          claim,
          EventRecorder.WARNING,
          "ProvisioningFailed",
          "storageclass.storage.k8s.io \"" + className + "\" not found");
      return claim;
    }
    String provisioner = storageClass.getProvisioner();
    if (!provisioner.equals(PersistentVolumes.annotation(claim, ANN_STORAGE_PROVISIONER))
        || !provisioner.equals(PersistentVolumes.annotation(claim, ANN_BETA_STORAGE_PROVISIONER))) {
      PersistentVolumeClaim copy = copy(claim);
      annotations(copy).put(ANN_STORAGE_PROVISIONER, provisioner);
      annotations(copy).put(ANN_BETA_STORAGE_PROVISIONER, provisioner);
      claim = api.updateClaim(copy);
    }
    events.event(
        claim,
        EventRecorder.NORMAL,
        "ExternalProvisioning",
        "Waiting for a volume to be created either by the external provisioner '"
            + provisioner
            + "' or manually by the system administrator. If volume creation is delayed, please"
            + " verify that the provisioner is running and correctly registered.");
    if (LocalPathProvisioner.NAME.equals(provisioner) && localPath.isPresent()) {
      provisionLocalPath(claim, storageClass, localPath.get());
    }
    return claim;
  }

  /** What the external local-path provisioner does for a claim marked for it. */
  private void provisionLocalPath(
      PersistentVolumeClaim claim, StorageClass storageClass, LocalPathProvisioner provisioner) {
    if (volumes.getByKey(LocalPathProvisioner.volumeName(claim)) != null) {
      return;
    }
    if ("Block".equals(claim.getSpec().getVolumeMode())) {
      provisionerEvents.event(
          claim,
          EventRecorder.WARNING,
          "ProvisioningFailed",
          LocalPathProvisioner.NAME + " does not support block volume provisioning");
      return;
    }
    Optional<String> refusal = LocalPathProvisioner.refusal(claim);
    if (refusal.isPresent()) {
      provisionerEvents.event(
          claim,
          EventRecorder.WARNING,
          "ProvisioningFailed",
          "failed to provision volume with StorageClass \""
              + storageClass.getMetadata().getName()
              + "\": "
              + refusal.get());
      return;
    }
    String node = PersistentVolumes.annotation(claim, ANN_SELECTED_NODE);
    provisionerEvents.event(
        claim,
        EventRecorder.NORMAL,
        "Provisioning",
        "External provisioner is provisioning volume for claim \""
            + PersistentVolumes.claimKey(claim)
            + "\"");
    PersistentVolume volume = provisioner.volumeFor(claim, storageClass, hostname(node));
    try {
      api.createVolume(volume);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        provisionerEvents.event(
            claim,
            EventRecorder.WARNING,
            "ProvisioningFailed",
            "failed to provision volume with StorageClass \""
                + storageClass.getMetadata().getName()
                + "\": "
                + e.getMessage());
        throw e;
      }
      return;
    }
    provisionerEvents.event(
        claim,
        EventRecorder.NORMAL,
        "ProvisioningSucceeded",
        "Successfully provisioned volume " + volume.getMetadata().getName());
  }

  /** The node's kubernetes.io/hostname label, which node affinity matches; else its name. */
  private String hostname(String nodeName) {
    Node node = nodes.getByKey(nodeName);
    if (node == null || node.getMetadata().getLabels() == null) {
      return nodeName;
    }
    return node.getMetadata()
        .getLabels()
        .getOrDefault(LocalPathProvisioner.HOSTNAME_LABEL, nodeName);
  }

  // ---- binding ----

  /** Binds both ways and sets both phases to Bound. */
  private void bind(PersistentVolume volume, PersistentVolumeClaim claim) {
    volume = bindVolumeToClaim(volume, claim);
    updateVolumePhase(volume, VOLUME_BOUND);
    claim = bindClaimToVolume(claim, volume);
    updateClaimStatus(claim, CLAIM_BOUND, volume);
  }

  private PersistentVolume bindVolumeToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
    boolean boundByController = !PersistentVolumes.isVolumeBoundToClaim(volume, claim);
    ObjectReference ref = volume.getSpec().getClaimRef();
    boolean dirty = false;
    PersistentVolume copy = copy(volume);
    if (ref == null
        || !Objects.equals(ref.getName(), claim.getMetadata().getName())
        || !Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
        || !Objects.equals(ref.getUid(), claim.getMetadata().getUid())) {
      copy.getSpec().setClaimRef(reference(claim));
      dirty = true;
    }
    if (boundByController && !PersistentVolumes.hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER)) {
      annotations(copy).put(ANN_BOUND_BY_CONTROLLER, "yes");
      dirty = true;
    }
    return dirty ? api.updateVolume(copy) : volume;
  }

  private PersistentVolumeClaim bindClaimToVolume(
      PersistentVolumeClaim claim, PersistentVolume volume) {
    boolean dirty = false;
    PersistentVolumeClaim copy = copy(claim);
    String name = volume.getMetadata().getName();
    if (!name.equals(claim.getSpec().getVolumeName())) {
      copy.getSpec().setVolumeName(name);
      annotations(copy).put(ANN_BOUND_BY_CONTROLLER, "yes");
      dirty = true;
    }
    if (!PersistentVolumes.hasAnnotation(claim, ANN_BIND_COMPLETED)) {
      annotations(copy).put(ANN_BIND_COMPLETED, "yes");
      dirty = true;
    }
    return dirty ? api.updateClaim(copy) : claim;
  }

  private static ObjectReference reference(PersistentVolumeClaim claim) {
    return new ObjectReferenceBuilder()
        .withApiVersion("v1")
        .withKind("PersistentVolumeClaim")
        .withNamespace(claim.getMetadata().getNamespace())
        .withName(claim.getMetadata().getName())
        .withUid(claim.getMetadata().getUid())
        .withResourceVersion(claim.getMetadata().getResourceVersion())
        .build();
  }

  /** Phase, and the volume's capacity and access modes (none without a volume), on the claim. */
  private PersistentVolumeClaim updateClaimStatus(
      PersistentVolumeClaim claim, String phase, PersistentVolume volume) {
    PersistentVolumeClaim copy = copy(claim);
    if (copy.getStatus() == null) {
      copy.setStatus(new PersistentVolumeClaimStatus());
    }
    PersistentVolumeClaimStatus status = copy.getStatus();
    boolean dirty = !phase.equals(status.getPhase());
    status.setPhase(phase);
    List<String> modes = volume == null ? null : volume.getSpec().getAccessModes();
    Map<String, Quantity> capacity = null;
    if (volume != null && volume.getSpec().getCapacity() != null) {
      Quantity storage = volume.getSpec().getCapacity().get(PersistentVolumes.STORAGE);
      capacity = storage == null ? null : Map.of(PersistentVolumes.STORAGE, storage);
    }
    if (!Objects.equals(emptyToNull(status.getAccessModes()), emptyToNull(modes))) {
      status.setAccessModes(modes);
      dirty = true;
    }
    if (!sameCapacity(status.getCapacity(), capacity)) {
      status.setCapacity(capacity);
      dirty = true;
    }
    return dirty ? api.updateClaimStatus(copy) : claim;
  }

  private static <T> List<T> emptyToNull(List<T> list) {
    return list == null || list.isEmpty() ? null : list;
  }

  private static boolean sameCapacity(Map<String, Quantity> a, Map<String, Quantity> b) {
    Quantity left = a == null ? null : a.get(PersistentVolumes.STORAGE);
    Quantity right = b == null ? null : b.get(PersistentVolumes.STORAGE);
    if (left == null || right == null) {
      return left == right;
    }
    return left.getNumericalAmount().compareTo(right.getNumericalAmount()) == 0;
  }

  private void updateClaimPhaseWithEvent(
      PersistentVolumeClaim claim, String phase, String reason, String message) {
    if (phase.equals(PersistentVolumes.claimPhase(claim))) {
      return;
    }
    updateClaimStatus(claim, phase, null);
    events.event(claim, EventRecorder.WARNING, reason, message);
  }

  // ---- volumes ----

  private Result syncVolume(String name) {
    PersistentVolume volume = volumes.getByKey(name);
    if (volume == null) {
      return Result.done();
    }
    ObjectReference ref = volume.getSpec().getClaimRef();
    if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
      // unused, or pre-bound by a user to a claim whose sync will bind it
      updateVolumePhase(volume, VOLUME_AVAILABLE);
      return Result.done();
    }
    PersistentVolumeClaim claim = claimOf(ref);
    if (claim != null && !ref.getUid().equals(claim.getMetadata().getUid())) {
      // a new claim with the old name: the volume's claim is gone
      claim = null;
    }
    if (claim == null) {
      String phase = PersistentVolumes.volumePhase(volume);
      if (!VOLUME_RELEASED.equals(phase) && !VOLUME_FAILED.equals(phase)) {
        volume = updateVolumePhase(volume, VOLUME_RELEASED);
      }
      reclaim(volume);
      return Result.done();
    }
    String claimVolume = claim.getSpec().getVolumeName();
    if (claimVolume == null || claimVolume.isEmpty()) {
      // the volume points at a claim not bound yet: the claim's sync completes the binding
      enqueue.accept(ObjectKey.of(claim));
      return Result.done();
    }
    if (claimVolume.equals(name)) {
      updateVolumePhase(volume, VOLUME_BOUND);
      return Result.done();
    }
    // the claim is bound to another volume
    if (PersistentVolumes.hasAnnotation(volume, ANN_PROVISIONED_BY)
        && PersistentVolumes.RECLAIM_DELETE.equals(PersistentVolumes.reclaimPolicy(volume))) {
      String phase = PersistentVolumes.volumePhase(volume);
      if (!VOLUME_RELEASED.equals(phase) && !VOLUME_FAILED.equals(phase)) {
        volume = updateVolumePhase(volume, VOLUME_RELEASED);
      }
      reclaim(volume);
    } else if (PersistentVolumes.hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER)) {
      unbind(volume);
    }
    return Result.done();
  }

  /** The claim a volume names, from the cache or, when the cache lacks it, from the API. */
  private PersistentVolumeClaim claimOf(ObjectReference ref) {
    String namespace = Objects.requireNonNullElse(ref.getNamespace(), "");
    PersistentVolumeClaim cached =
        claims.getByKey(new ObjectKey(namespace, ref.getName()).cacheKey());
    if (cached != null) {
      return cached;
    }
    return api.getClaim(namespace, ref.getName()).orElse(null);
  }

  /** Runs the volume's reclaim policy once its claim is gone. */
  private void reclaim(PersistentVolume volume) {
    switch (PersistentVolumes.reclaimPolicy(volume)) {
      case PersistentVolumes.RECLAIM_RECYCLE ->
          updateVolumePhaseWithEvent(
              volume,
              VOLUME_FAILED,
              "VolumeFailedRecycle",
              "No recycler plugin found for the volume!");
      case PersistentVolumes.RECLAIM_DELETE -> delete(volume);
      default -> {
        // Retain: the volume stays Released until an administrator deals with it
      }
    }
  }

  private void delete(PersistentVolume volume) {
    String provisionedBy = PersistentVolumes.annotation(volume, ANN_PROVISIONED_BY);
    if (LocalPathProvisioner.NAME.equals(provisionedBy) && localPath.isPresent()) {
      api.deleteVolume(volume);
      return;
    }
    if (provisionedBy != null) {
      // an external provisioner deletes the volumes it made
      return;
    }
    updateVolumePhaseWithEvent(
        volume,
        VOLUME_FAILED,
        "VolumeFailedDelete",
        "error getting deleter volume plugin for volume \""
            + volume.getMetadata().getName()
            + "\": no deletable volume plugin matched");
  }

  /** Frees a volume the controller bound to a claim that is now bound elsewhere. */
  private void unbind(PersistentVolume volume) {
    PersistentVolume copy = copy(volume);
    copy.getSpec().setClaimRef(null);
    annotations(copy).remove(ANN_BOUND_BY_CONTROLLER);
    updateVolumePhase(api.updateVolume(copy), VOLUME_AVAILABLE);
  }

  private PersistentVolume updateVolumePhase(PersistentVolume volume, String phase) {
    if (phase.equals(PersistentVolumes.volumePhase(volume))) {
      return volume;
    }
    return writeVolumePhase(volume, phase, null);
  }

  private PersistentVolume writeVolumePhase(PersistentVolume volume, String phase, String message) {
    PersistentVolume copy = copy(volume);
    if (copy.getStatus() == null) {
      copy.setStatus(new PersistentVolumeStatus());
    }
    copy.getStatus().setPhase(phase);
    copy.getStatus().setMessage(message);
    copy.getStatus().setReason(null);
    copy.getStatus()
        .setLastPhaseTransitionTime(
            DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
    return api.updateVolumeStatus(copy);
  }

  private void updateVolumePhaseWithEvent(
      PersistentVolume volume, String phase, String reason, String message) {
    if (phase.equals(PersistentVolumes.volumePhase(volume))) {
      return;
    }
    writeVolumePhase(volume, phase, message);
    events.event(volume, EventRecorder.WARNING, reason, message);
  }

  // ---- event handlers: compute keys only ----

  public ResourceEventHandler<PersistentVolumeClaim> claimHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(PersistentVolumeClaim claim) {
        enqueue.accept(ObjectKey.of(claim));
      }

      @Override
      public void onUpdate(PersistentVolumeClaim oldClaim, PersistentVolumeClaim newClaim) {
        enqueue.accept(ObjectKey.of(newClaim));
      }

      @Override
      public void onDelete(PersistentVolumeClaim claim, boolean deletedFinalStateUnknown) {
        // its volume is released
        for (PersistentVolume volume : volumes.list()) {
          if (PersistentVolumes.isVolumeBoundToClaim(volume, claim)) {
            enqueue.accept(ObjectKey.of(volume));
          }
        }
      }
    };
  }

  public ResourceEventHandler<PersistentVolume> volumeHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(PersistentVolume volume) {
        changed(volume);
      }

      @Override
      public void onUpdate(PersistentVolume oldVolume, PersistentVolume newVolume) {
        changed(newVolume);
      }

      @Override
      public void onDelete(PersistentVolume volume, boolean deletedFinalStateUnknown) {
        changed(volume);
      }

      private void changed(PersistentVolume volume) {
        enqueue.accept(ObjectKey.of(volume));
        ObjectReference ref = volume.getSpec() == null ? null : volume.getSpec().getClaimRef();
        if (ref != null && ref.getName() != null) {
          enqueue.accept(new ObjectKey(ref.getNamespace(), ref.getName()));
        } else if (ref == null) {
          // a free volume may be what a waiting claim needs
          enqueueUnboundClaims();
        }
      }
    };
  }

  /** A new or changed class may let waiting claims go on (or become the default). */
  public ResourceEventHandler<StorageClass> classHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(StorageClass storageClass) {
        enqueueUnboundClaims();
      }

      @Override
      public void onUpdate(StorageClass oldClass, StorageClass newClass) {
        enqueueUnboundClaims();
      }

      @Override
      public void onDelete(StorageClass storageClass, boolean deletedFinalStateUnknown) {
        // claims keep waiting; nothing to do
      }
    };
  }

  private void enqueueUnboundClaims() {
    for (PersistentVolumeClaim claim : claims.list()) {
      if (!PersistentVolumes.hasAnnotation(claim, ANN_BIND_COMPLETED)) {
        enqueue.accept(ObjectKey.of(claim));
      }
    }
  }

  private static Map<String, String> annotations(HasMetadata object) {
    if (object.getMetadata().getAnnotations() == null) {
      object.getMetadata().setAnnotations(new HashMap<>());
    }
    return object.getMetadata().getAnnotations();
  }

  private static PersistentVolume copy(PersistentVolume volume) {
    PersistentVolume copy = new PersistentVolumeBuilder(volume).build();
    copy.getMetadata().setAnnotations(mutable(copy.getMetadata().getAnnotations()));
    return copy;
  }

  private static PersistentVolumeClaim copy(PersistentVolumeClaim claim) {
    PersistentVolumeClaim copy = new PersistentVolumeClaimBuilder(claim).build();
    copy.getMetadata().setAnnotations(mutable(copy.getMetadata().getAnnotations()));
    return copy;
  }

  private static Map<String, String> mutable(Map<String, String> annotations) {
    return annotations == null ? null : new HashMap<>(annotations);
  }
}
