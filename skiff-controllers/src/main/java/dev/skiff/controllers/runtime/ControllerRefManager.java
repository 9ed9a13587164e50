package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Claims objects (pods, ReplicaSets, ...) for a controller as Kubernetes' ControllerRefManager
 * does: keeps objects it owns that still match, releases owned objects that no longer match, adopts
 * matching orphans. Adoption first re-reads the controller from the API (once) so a deleted or
 * replaced controller adopts nothing.
 */
public final class ControllerRefManager<T extends HasMetadata> {
  private final BiConsumer<T, List<OwnerReference>> patchOwnerReferences;
  private final HasMetadata controller;
  private final Predicate<T> selects;
  private final OwnerReference ownerRef;
  private final Supplier<HasMetadata> freshController;
  private Boolean canAdopt;

  /**
   * @param patchOwnerReferences replaces an object's owner references, guarded by its uid
   */
  public ControllerRefManager(
      BiConsumer<T, List<OwnerReference>> patchOwnerReferences,
      HasMetadata controller,
      Predicate<T> selects,
      String apiVersion,
      String kind,
      Supplier<HasMetadata> freshController) {
    this.patchOwnerReferences = patchOwnerReferences;
    this.controller = controller;
    this.selects = selects;
    this.ownerRef = controllerRef(controller, apiVersion, kind);
    this.freshController = freshController;
  }

  /** The owner reference a controller sets on what it creates: controller and blocking. */
  public static OwnerReference controllerRef(HasMetadata owner, String apiVersion, String kind) {
    return new OwnerReferenceBuilder()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  public static <T extends HasMetadata> Predicate<T> bySelector(LabelSelector selector) {
    return object -> Selectors.matches(selector, object.getMetadata().getLabels());
  }

  public OwnerReference ownerRef() {
    return ownerRef;
  }

  /** The objects this controller owns after adopting and releasing; throws after trying all. */
  public List<T> claim(List<T> objects) {
    List<T> claimed = new ArrayList<>();
    RuntimeException firstError = null;
    for (T pod : objects) {
      try {
        if (claimOne(pod)) {
          claimed.add(pod);
        }
      } catch (RuntimeException e) {
        if (firstError == null) {
          firstError = e;
        }
      }
    }
    if (firstError != null) {
      throw firstError;
    }
    return claimed;
  }

  private boolean claimOne(T pod) {
    boolean controllerDeleting = controller.getMetadata().getDeletionTimestamp() != null;
    OwnerReference existing = controllerOf(pod).orElse(null);
    if (existing != null) {
      if (!Objects.equals(existing.getUid(), controller.getMetadata().getUid())) {
        return false;
      }
      if (selects.test(pod)) {
        return true;
      }
      if (controllerDeleting) {
        return false;
      }
      release(pod);
      return false;
    }
    if (controllerDeleting
        || !selects.test(pod)
        || pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    if (!Objects.equals(
        pod.getMetadata().getNamespace(), controller.getMetadata().getNamespace())) {
      return false;
    }
    return adopt(pod);
  }

  private boolean adopt(T pod) {
    if (canAdopt == null) {
      HasMetadata fresh = freshController.get();
      canAdopt =
          fresh != null
              && Objects.equals(fresh.getMetadata().getUid(), controller.getMetadata().getUid())
              && fresh.getMetadata().getDeletionTimestamp() == null;
    }
    if (!canAdopt) {
      throw new IllegalStateException(
          "cannot adopt "
              + pod.getKind()
              + " "
              + pod.getMetadata().getName()
              + ": "
              + controller.getKind()
              + " "
              + controller.getMetadata().getName()
              + " was deleted or replaced");
    }
    List<OwnerReference> refs = new ArrayList<>();
    if (pod.getMetadata().getOwnerReferences() != null) {
      refs.addAll(pod.getMetadata().getOwnerReferences());
    }
    refs.add(ownerRef);
    try {
      patchOwnerReferences.accept(pod, refs);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  private void release(T pod) {
    List<OwnerReference> refs = new ArrayList<>(pod.getMetadata().getOwnerReferences());
    refs.removeIf(ref -> Objects.equals(ref.getUid(), controller.getMetadata().getUid()));
    try {
      patchOwnerReferences.accept(pod, refs);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 422) {
        throw e;
      }
    }
  }

  /** The owner reference with controller=true, if any. */
  public static Optional<OwnerReference> controllerOf(HasMetadata object) {
    if (object.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    return object.getMetadata().getOwnerReferences().stream()
        .filter(ref -> Boolean.TRUE.equals(ref.getController()))
        .findFirst();
  }
}
