package dev.skiff.controllers.pods;

import dev.skiff.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Claims pods for a controller as Kubernetes' ControllerRefManager does: keeps pods it owns that
 * still match, releases owned pods that no longer match, adopts matching orphans. Adoption first
 * re-reads the controller from the API (once) so a deleted or replaced controller adopts nothing.
 */
public final class PodAdoption {
  private final PodControl podControl;
  private final HasMetadata controller;
  private final Predicate<Pod> selects;
  private final OwnerReference ownerRef;
  private final Supplier<HasMetadata> freshController;
  private Boolean canAdopt;

  public PodAdoption(
      PodControl podControl,
      HasMetadata controller,
      Predicate<Pod> selects,
      String apiVersion,
      String kind,
      Supplier<HasMetadata> freshController) {
    this.podControl = podControl;
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

  public static Predicate<Pod> bySelector(LabelSelector selector) {
    return pod -> Selectors.matches(selector, pod.getMetadata().getLabels());
  }

  public OwnerReference ownerRef() {
    return ownerRef;
  }

  /** The pods this controller owns after adopting and releasing; throws after trying them all. */
  public List<Pod> claim(List<Pod> pods) {
    List<Pod> claimed = new ArrayList<>();
    RuntimeException firstError = null;
    for (Pod pod : pods) {
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

  private boolean claimOne(Pod pod) {
    boolean controllerDeleting = controller.getMetadata().getDeletionTimestamp() != null;
    OwnerReference existing = Pods.controllerRef(pod).orElse(null);
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
    if (controllerDeleting || !selects.test(pod) || Pods.isTerminating(pod)) {
      return false;
    }
    if (!Objects.equals(
        pod.getMetadata().getNamespace(), controller.getMetadata().getNamespace())) {
      return false;
    }
    return adopt(pod);
  }

  private boolean adopt(Pod pod) {
    if (canAdopt == null) {
      HasMetadata fresh = freshController.get();
      canAdopt =
          fresh != null
              && Objects.equals(fresh.getMetadata().getUid(), controller.getMetadata().getUid())
              && fresh.getMetadata().getDeletionTimestamp() == null;
    }
    if (!canAdopt) {
      throw new IllegalStateException(
          "cannot adopt pod "
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
      podControl.patchOwnerReferences(pod, refs);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  private void release(Pod pod) {
    List<OwnerReference> refs = new ArrayList<>(pod.getMetadata().getOwnerReferences());
    refs.removeIf(ref -> Objects.equals(ref.getUid(), controller.getMetadata().getUid()));
    try {
      podControl.patchOwnerReferences(pod, refs);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 422) {
        throw e;
      }
    }
  }
}
