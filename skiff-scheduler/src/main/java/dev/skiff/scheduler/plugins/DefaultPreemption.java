package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.FitError;
import dev.skiff.scheduler.framework.Framework;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PostFilterPlugin;
import dev.skiff.scheduler.framework.PostFilterResult;
import dev.skiff.scheduler.framework.Selector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Preemption: when no node fits, finds nodes where evicting lower-priority pods would make room,
 * keeps as many of them as possible (PDB-protected ones first), picks the node whose victims cost
 * least, deletes the victims gracefully and nominates the node for the pod.
 */
public final class DefaultPreemption implements PostFilterPlugin {
  public static final String NAME = "DefaultPreemption";
  static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
  static final String NO_VICTIMS = "No preemption victims found for incoming pod";

  private final Handle handle;
  private final int minCandidateNodesPercentage;
  private final int minCandidateNodesAbsolute;
  private final RandomGenerator random;

  public DefaultPreemption(
      Handle handle,
      int minCandidateNodesPercentage,
      int minCandidateNodesAbsolute,
      RandomGenerator random) {
    this.handle = handle;
    this.minCandidateNodesPercentage = minCandidateNodesPercentage;
    this.minCandidateNodesAbsolute = minCandidateNodesAbsolute;
    this.random = random;
  }

  /** A node where preemption makes room, with the pods to evict. */
  record Candidate(String nodeName, List<PodInfo> victims, int pdbViolations) {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PostFilterResult postFilter(
      CycleState state, PodInfo pod, Map<String, PluginStatus> nodeToStatus) {
    String notEligible = notEligibleReason(pod, nodeToStatus);
    if (notEligible != null) {
      return new PostFilterResult(PluginStatus.unschedulable("preemption: " + notEligible), null);
    }
    List<NodeInfo> all = handle.snapshot().nodes();
    List<NodeInfo> potential = new ArrayList<>();
    Map<String, PluginStatus> statuses = new ConcurrentHashMap<>();
    for (NodeInfo node : all) {
      PluginStatus s = nodeToStatus.get(node.name());
      if (s != null && s.code() == PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
        statuses.put(node.name(), PluginStatus.unresolvable(NOT_HELPFUL));
      } else {
        potential.add(node);
      }
    }
    List<Candidate> candidates =
        potential.isEmpty() ? List.of() : dryRun(state, pod, potential, statuses);
    if (candidates.isEmpty()) {
      String message = FitError.message(statuses.size(), statuses, "", "");
      return new PostFilterResult(PluginStatus.unschedulable("preemption: " + message), "");
    }
    Candidate best = pickOne(candidates);
    prepare(best, pod);
    return new PostFilterResult(PluginStatus.SUCCESS, best.nodeName());
  }

  private String notEligibleReason(PodInfo pod, Map<String, PluginStatus> nodeToStatus) {
    if ("Never".equals(preemptionPolicy(pod.pod()))) {
      return "not eligible due to preemptionPolicy=Never.";
    }
    String nominated =
        pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
    if (nominated == null || nominated.isEmpty()) {
      return null;
    }
    PluginStatus s = nodeToStatus.get(nominated);
    if (s != null && s.code() == PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
      return null;
    }
    NodeInfo node = handle.snapshot().get(nominated);
    if (node != null) {
      for (PodInfo p : node.pods()) {
        if (p.priority() < pod.priority() && terminatingByPreemption(p.pod())) {
          return "not eligible due to a terminating pod on the nominated node.";
        }
      }
    }
    return null;
  }

  private String preemptionPolicy(Pod pod) {
    String policy = pod.getSpec().getPreemptionPolicy();
    if (policy == null && pod.getSpec().getPriorityClassName() != null) {
      PriorityClass pc =
          handle.listers().priorityClasses().get(null, pod.getSpec().getPriorityClassName());
      policy = pc == null ? null : pc.getPreemptionPolicy();
    }
    return policy;
  }

  private static boolean terminatingByPreemption(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() == null || pod.getStatus() == null) {
      return false;
    }
    List<PodCondition> conditions = pod.getStatus().getConditions();
    if (conditions == null) {
      return false;
    }
    for (PodCondition c : conditions) {
      if ("DisruptionTarget".equals(c.getType()) && "PreemptionByScheduler".equals(c.getReason())) {
        return true;
      }
    }
    return false;
  }

  private int numCandidates(int numNodes) {
    int n = numNodes * minCandidateNodesPercentage / 100;
    n = Math.max(n, minCandidateNodesAbsolute);
    return Math.min(n, numNodes);
  }

  private List<Candidate> dryRun(
      CycleState state, PodInfo pod, List<NodeInfo> potential, Map<String, PluginStatus> statuses) {
    List<PodDisruptionBudget> pdbs = handle.listers().disruptionBudgets().list(null);
    int offset = random.nextInt(potential.size());
    int wanted = numCandidates(potential.size());
    List<Candidate> violating = new ArrayList<>();
    List<Candidate> nonViolating = new ArrayList<>();
    AtomicInteger found = new AtomicInteger();
    Framework fwk = handle.framework();
    handle
        .parallelizer()
        .until(
            potential.size(),
            i -> {
              NodeInfo node = potential.get((offset + i) % potential.size()).copy();
              CycleState stateCopy = state.copy();
              List<PodInfo> victims = new ArrayList<>();
              int[] violations = new int[1];
              PluginStatus s = selectVictims(fwk, stateCopy, pod, node, pdbs, victims, violations);
              if (s.isSuccess()) {
                Candidate c = new Candidate(node.name(), List.copyOf(victims), violations[0]);
                synchronized (violating) {
                  (c.pdbViolations() == 0 ? nonViolating : violating).add(c);
                }
                found.incrementAndGet();
              } else {
                statuses.put(node.name(), s);
              }
            },
            () -> {
              synchronized (violating) {
                return !nonViolating.isEmpty() && found.get() >= wanted;
              }
            });
    List<Candidate> all = new ArrayList<>(nonViolating);
    all.addAll(violating);
    return all;
  }

  /** Fills {@code victims}; SUCCESS when the pod fits after evicting them. */
  PluginStatus selectVictims(
      Framework fwk,
      CycleState state,
      PodInfo pod,
      NodeInfo node,
      List<PodDisruptionBudget> pdbs,
      List<PodInfo> victims,
      int[] violations) {
    List<PodInfo> potential = new ArrayList<>();
    for (PodInfo p : List.copyOf(node.pods())) {
      if (p.priority() < pod.priority()) {
        potential.add(p);
        node.removePod(p);
        PluginStatus s = fwk.runPreFilterRemovePod(state, pod, p, node);
        if (!s.isSuccess()) {
          return s;
        }
      }
    }
    if (potential.isEmpty()) {
      return PluginStatus.unresolvable(NO_VICTIMS);
    }
    PluginStatus fits = fwk.runFilterWithNominatedPods(state, pod, node);
    if (!fits.isSuccess()) {
      return fits;
    }
    potential.sort(MORE_IMPORTANT);
    List<PodInfo> violatingPods = new ArrayList<>();
    List<PodInfo> nonViolatingPods = new ArrayList<>();
    splitByPdbViolation(potential, pdbs, violatingPods, nonViolatingPods);
    for (PodInfo p : violatingPods) {
      if (!reprieve(fwk, state, pod, node, p, victims)) {
        violations[0]++;
      }
    }
    for (PodInfo p : nonViolatingPods) {
      reprieve(fwk, state, pod, node, p, victims);
    }
    victims.sort(MORE_IMPORTANT);
    return PluginStatus.SUCCESS;
  }

  private static boolean reprieve(
      Framework fwk,
      CycleState state,
      PodInfo pod,
      NodeInfo node,
      PodInfo p,
      List<PodInfo> victims) {
    node.addPod(p);
    fwk.runPreFilterAddPod(state, pod, p, node);
    if (fwk.runFilterWithNominatedPods(state, pod, node).isSuccess()) {
      return true;
    }
    node.removePod(p);
    fwk.runPreFilterRemovePod(state, pod, p, node);
    victims.add(p);
    return false;
  }

  /** Higher priority first, then the one running longer. */
  static final Comparator<PodInfo> MORE_IMPORTANT =
      Comparator.comparingInt(PodInfo::priority).reversed().thenComparing(PodInfo::startTime);

  static void splitByPdbViolation(
      List<PodInfo> pods,
      List<PodDisruptionBudget> pdbs,
      List<PodInfo> violating,
      List<PodInfo> nonViolating) {
    int[] allowed = new int[pdbs.size()];
    List<Selector> selectors = new ArrayList<>(pdbs.size());
    for (int i = 0; i < pdbs.size(); i++) {
      PodDisruptionBudget pdb = pdbs.get(i);
      Integer a = pdb.getStatus() == null ? null : pdb.getStatus().getDisruptionsAllowed();
      allowed[i] = a == null ? 0 : a;
      selectors.add(
          pdb.getSpec() == null ? Selector.NOTHING : Selector.of(pdb.getSpec().getSelector()));
    }
    for (PodInfo p : pods) {
      boolean violated = false;
      if (!p.labels().isEmpty()) {
        for (int i = 0; i < pdbs.size(); i++) {
          PodDisruptionBudget pdb = pdbs.get(i);
          Selector sel = selectors.get(i);
          if (!p.namespace().equals(pdb.getMetadata().getNamespace())
              || sel.isEmpty()
              || !sel.matches(p.labels())) {
            continue;
          }
          Map<String, String> disrupted =
              pdb.getStatus() == null ? null : pdb.getStatus().getDisruptedPods();
          if (disrupted != null && disrupted.containsKey(p.name())) {
            continue;
          }
          allowed[i]--;
          violated |= allowed[i] < 0;
        }
      }
      (violated ? violating : nonViolating).add(p);
    }
  }

  /** The candidate whose eviction costs least, by the ordered criteria of Kubernetes. */
  static Candidate pickOne(List<Candidate> candidates) {
    List<Candidate> remaining = candidates;
    remaining = minBy(remaining, c -> (long) c.pdbViolations());
    remaining = minBy(remaining, c -> (long) c.victims().get(0).priority());
    remaining =
        minBy(
            remaining,
            c -> {
              long sum = 0;
              for (PodInfo v : c.victims()) {
                sum += (long) v.priority() + Integer.MAX_VALUE + 1;
              }
              return sum;
            });
    remaining = minBy(remaining, c -> (long) c.victims().size());
    remaining =
        minBy(
            remaining,
            c -> {
              // latest start among the earliest-started highest-priority victims wins
              int top = c.victims().get(0).priority();
              Instant earliest = Instant.MAX;
              for (PodInfo v : c.victims()) {
                if (v.priority() == top && v.startTime().isBefore(earliest)) {
                  earliest = v.startTime();
                }
              }
              return -earliest.toEpochMilli();
            });
    return remaining.get(0);
  }

  private static List<Candidate> minBy(
      List<Candidate> candidates, java.util.function.ToLongFunction<Candidate> key) {
    if (candidates.size() <= 1) {
      return candidates;
    }
    long min = Long.MAX_VALUE;
    Map<Long, List<Candidate>> byKey = new HashMap<>();
    for (Candidate c : candidates) {
      long k = key.applyAsLong(c);
      min = Math.min(min, k);
      byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(c);
    }
    return byKey.get(min);
  }

  private void prepare(Candidate candidate, PodInfo pod) {
    for (PodInfo victim : candidate.victims()) {
      handle.client().preemptPod(victim.pod(), pod.pod(), candidate.nodeName());
    }
    for (PodInfo nominated : handle.nominator().nominatedPodsForNode(candidate.nodeName())) {
      if (nominated.priority() < pod.priority() && !nominated.uid().equals(pod.uid())) {
        handle.nominator().deleteNominatedPodIfExists(nominated);
        handle.client().updatePodStatus(nominated.pod(), null, "");
      }
    }
  }
}
