package dev.skiff.controllers.pods;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Records pod writes; can be told to fail creations after a number of successes. */
public final class FakePodControl implements PodControl {
  public final List<Pod> created = new ArrayList<>();
  public final List<String> deleted = new ArrayList<>();
  public final List<String> patched = new ArrayList<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private int createLimit = Integer.MAX_VALUE;
  private String createError = "exceeded quota";

  /** Creations beyond the first n fail with 403 Forbidden and the given message. */
  public synchronized void failCreationsAfter(int n, String message) {
    createLimit = n;
    createError = message;
  }

  @Override
  public synchronized Pod createPod(
      String namespace, PodTemplateSpec template, HasMetadata controller, OwnerReference ref) {
    if (created.size() >= createLimit) {
      throw new KubernetesClientException(createError, 403, null);
    }
    Pod pod = ClientPodControl.podFromTemplate(template, controller, ref);
    int n = sequence.incrementAndGet();
    pod.getMetadata().setName(pod.getMetadata().getGenerateName() + "p" + n);
    pod.getMetadata().setUid("uid-" + pod.getMetadata().getName());
    pod.getMetadata().setResourceVersion(String.valueOf(n));
    created.add(pod);
    return pod;
  }

  @Override
  public synchronized void deletePod(String namespace, String name, HasMetadata controller) {
    deleted.add(name);
  }

  @Override
  public synchronized void patchOwnerReferences(Pod pod, List<OwnerReference> ownerReferences) {
    patched.add(
        pod.getMetadata().getName()
            + " -> "
            + ownerReferences.stream().map(OwnerReference::getName).toList());
  }

  public synchronized List<String> createdNames() {
    return created.stream().map(p -> p.getMetadata().getName()).toList();
  }
}
