package dev.skiff.scheduler.framework;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pod with everything the scheduler derives from it computed once: requests, priority, compiled
 * affinity terms, host ports and claims. Immutable; a new PodInfo is built when the pod changes.
 */
public final class PodInfo {
  private final Pod pod;
  private final String uid;
  private final int priority;
  private final Resource requests;
  private final Resource nonZeroRequests;
  private final List<AffinityTerm> requiredAffinityTerms;
  private final List<AffinityTerm> requiredAntiAffinityTerms;
  private final List<AffinityTerm> preferredAffinityTerms;
  private final List<AffinityTerm> preferredAntiAffinityTerms;
  private final List<HostPort> hostPorts;
  private final List<String> claimNames;

  private PodInfo(Pod pod, int priority) {
    this.pod = pod;
    this.uid = keyOf(pod);
    this.priority = priority;
    this.requests = PodRequests.of(pod);
    this.nonZeroRequests = PodRequests.nonZero(pod);
    Affinity affinity = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
    String ns = pod.getMetadata().getNamespace();
    if (affinity != null && affinity.getPodAffinity() != null) {
      requiredAffinityTerms =
          required(
              affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), ns);
      preferredAffinityTerms =
          preferred(
              affinity.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(), ns);
    } else {
      requiredAffinityTerms = List.of();
      preferredAffinityTerms = List.of();
    }
    if (affinity != null && affinity.getPodAntiAffinity() != null) {
      requiredAntiAffinityTerms =
          required(
              affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(),
              ns);
      preferredAntiAffinityTerms =
          preferred(
              affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(),
              ns);
    } else {
      requiredAntiAffinityTerms = List.of();
      preferredAntiAffinityTerms = List.of();
    }
    this.hostPorts = hostPorts(pod);
    this.claimNames = claimNames(pod);
  }

  /** Builds the info with the priority written in the pod spec (0 when absent). */
  public static PodInfo of(Pod pod) {
    Integer p = pod.getSpec() == null ? null : pod.getSpec().getPriority();
    return new PodInfo(pod, p == null ? 0 : p);
  }

  /** Builds the info with a priority resolved elsewhere (e.g. from the PriorityClass). */
  public static PodInfo of(Pod pod, int priority) {
    return new PodInfo(pod, priority);
  }

  /** The cache key of a pod: its uid, or namespace/name for objects not yet stored. */
  public static String keyOf(Pod pod) {
    String uid = pod.getMetadata().getUid();
    return uid != null && !uid.isEmpty()
        ? uid
        : pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private static List<AffinityTerm> required(List<PodAffinityTerm> terms, String ns) {
    if (terms == null || terms.isEmpty()) {
      return List.of();
    }
    List<AffinityTerm> out = new ArrayList<>(terms.size());
    for (PodAffinityTerm t : terms) {
      out.add(compile(t, ns, 1));
    }
    return List.copyOf(out);
  }

  private static List<AffinityTerm> preferred(List<WeightedPodAffinityTerm> terms, String ns) {
    if (terms == null || terms.isEmpty()) {
      return List.of();
    }
    List<AffinityTerm> out = new ArrayList<>(terms.size());
    for (WeightedPodAffinityTerm t : terms) {
      if (t.getWeight() == null || t.getWeight() == 0 || t.getPodAffinityTerm() == null) {
        continue;
      }
      out.add(compile(t.getPodAffinityTerm(), ns, t.getWeight()));
    }
    return List.copyOf(out);
  }

  private static AffinityTerm compile(PodAffinityTerm t, String ns, int weight) {
    List<String> namespaces = t.getNamespaces() == null ? List.of() : t.getNamespaces();
    Selector nsSelector =
        t.getNamespaceSelector() == null ? null : Selector.of(t.getNamespaceSelector());
    Set<String> nsSet =
        namespaces.isEmpty() && nsSelector == null ? Set.of(ns) : Set.copyOf(namespaces);
    return new AffinityTerm(
        nsSet, nsSelector, Selector.of(t.getLabelSelector()), t.getTopologyKey(), weight);
  }

  private static List<HostPort> hostPorts(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return List.of();
    }
    List<HostPort> out = new ArrayList<>(0);
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort p : c.getPorts()) {
        if (p.getHostPort() != null && p.getHostPort() > 0) {
          out.add(new HostPort(p.getHostIP(), p.getProtocol(), p.getHostPort()));
        }
      }
    }
    return List.copyOf(out);
  }

  private static List<String> claimNames(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(0);
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() != null) {
        out.add(v.getPersistentVolumeClaim().getClaimName());
      } else if (v.getEphemeral() != null) {
        out.add(pod.getMetadata().getName() + "-" + v.getName());
      }
    }
    return List.copyOf(out);
  }

  public Pod pod() {
    return pod;
  }

  public String uid() {
    return uid;
  }

  public String namespace() {
    return pod.getMetadata().getNamespace();
  }

  public String name() {
    return pod.getMetadata().getName();
  }

  public Map<String, String> labels() {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  public int priority() {
    return priority;
  }

  /** Effective requests (containers, init containers, sidecars, overhead). */
  public Resource requests() {
    return requests;
  }

  /** Requests with default cpu/memory for containers that name none (for load spreading). */
  public Resource nonZeroRequests() {
    return nonZeroRequests;
  }

  public List<AffinityTerm> requiredAffinityTerms() {
    return requiredAffinityTerms;
  }

  public List<AffinityTerm> requiredAntiAffinityTerms() {
    return requiredAntiAffinityTerms;
  }

  public List<AffinityTerm> preferredAffinityTerms() {
    return preferredAffinityTerms;
  }

  public List<AffinityTerm> preferredAntiAffinityTerms() {
    return preferredAntiAffinityTerms;
  }

  public boolean hasAffinity() {
    return !requiredAffinityTerms.isEmpty()
        || !requiredAntiAffinityTerms.isEmpty()
        || !preferredAffinityTerms.isEmpty()
        || !preferredAntiAffinityTerms.isEmpty();
  }

  public List<HostPort> hostPorts() {
    return hostPorts;
  }

  /** Names of the PersistentVolumeClaims the pod uses (including generic ephemeral volumes). */
  public List<String> claimNames() {
    return claimNames;
  }

  public boolean isTerminating() {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /** Start time, falling back to creation time; used to rank preemption victims. */
  public Instant startTime() {
    String t = pod.getStatus() != null ? pod.getStatus().getStartTime() : null;
    if (t == null) {
      t = pod.getMetadata().getCreationTimestamp();
    }
    return t == null ? Instant.EPOCH : Instant.parse(t);
  }

  @Override
  public String toString() {
    return namespace() + "/" + name();
  }
}
