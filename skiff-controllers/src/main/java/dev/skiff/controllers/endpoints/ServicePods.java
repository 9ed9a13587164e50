package dev.skiff.controllers.endpoints;

import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Which pods back which Services, for the endpoint controllers. */
public final class ServicePods {
  private ServicePods() {}

  /** True when the service selects pods (a service without selector is managed by hand). */
  public static boolean hasSelector(Service service) {
    return service.getSpec() != null
        && service.getSpec().getSelector() != null
        && !service.getSpec().getSelector().isEmpty();
  }

  public static boolean selects(Service service, Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return hasSelector(service)
        && labels != null
        && labels.entrySet().containsAll(service.getSpec().getSelector().entrySet());
  }

  /** Whether a pod may appear as an endpoint at all: has an IP and is not finished. */
  public static boolean eligible(Pod pod, boolean includeTerminating) {
    String phase = Pods.phase(pod);
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return false;
    }
    if (pod.getStatus() == null
        || pod.getStatus().getPodIP() == null
        || pod.getStatus().getPodIP().isEmpty()) {
      return false;
    }
    return includeTerminating || !Pods.isTerminating(pod);
  }

  /** The container port a service port reaches on this pod (by number or by name). */
  public static Optional<Integer> targetPort(Pod pod, ServicePort port) {
    IntOrString target = port.getTargetPort();
    if (target == null) {
      return Optional.of(port.getPort());
    }
    if (target.getIntVal() != null) {
      return Optional.of(target.getIntVal());
    }
    String name = target.getStrVal();
    if (name == null || name.isEmpty()) {
      return Optional.of(port.getPort());
    }
    if (name.chars().allMatch(Character::isDigit)) {
      return Optional.of(Integer.parseInt(name));
    }
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return Optional.empty();
    }
    for (Container container : pod.getSpec().getContainers()) {
      if (container.getPorts() == null) {
        continue;
      }
      for (ContainerPort containerPort : container.getPorts()) {
        if (name.equals(containerPort.getName())
            && Objects.equals(
                protocol(containerPort.getProtocol()), protocol(port.getProtocol()))) {
          return Optional.of(containerPort.getContainerPort());
        }
      }
    }
    return Optional.empty();
  }

  public static String protocol(String protocol) {
    return protocol == null ? "TCP" : protocol;
  }

  /** Enqueues every service of the pod's namespace that selects the old or new pod. */
  public static void enqueueServicesOf(
      Indexer<Service> services, Pod oldPod, Pod newPod, Consumer<ObjectKey> enqueue) {
    Pod any = newPod != null ? newPod : oldPod;
    Set<ObjectKey> keys = new HashSet<>();
    for (Service service :
        new Lister<>(services).namespace(any.getMetadata().getNamespace()).list()) {
      if ((newPod != null && selects(service, newPod))
          || (oldPod != null && selects(service, oldPod))) {
        keys.add(ObjectKey.of(service));
      }
    }
    keys.forEach(enqueue);
  }

  /** Enqueues a Service's own key on every add, update and delete. */
  static ResourceEventHandler<Service> serviceHandler(Consumer<ObjectKey> enqueue) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Service s) {
        enqueue.accept(ObjectKey.of(s));
      }

      @Override
      public void onUpdate(Service o, Service s) {
        enqueue.accept(ObjectKey.of(s));
      }

      @Override
      public void onDelete(Service s, boolean unknown) {
        enqueue.accept(ObjectKey.of(s));
      }
    };
  }

  /**
   * Enqueues the Services selecting a pod (before or after a change) on add, delete and every
   * update that changes the pod's resourceVersion.
   */
  static ResourceEventHandler<Pod> podHandler(
      Indexer<Service> services, Consumer<ObjectKey> enqueue) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        enqueueServicesOf(services, null, pod, enqueue);
      }

      @Override
      public void onUpdate(Pod oldPod, Pod newPod) {
        if (!Objects.equals(
            oldPod.getMetadata().getResourceVersion(), newPod.getMetadata().getResourceVersion())) {
          enqueueServicesOf(services, oldPod, newPod, enqueue);
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        enqueueServicesOf(services, pod, null, enqueue);
      }
    };
  }
}
