package dev.skiff.scheduler.queue;

import dev.skiff.scheduler.framework.AffinityTerm;
import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.Nominator;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The scheduling queue of Kubernetes: an active heap in QueueSort order, a backoff heap ordered by
 * backoff expiry (exponential per pod), and the unschedulable pods, which move back on cluster
 * events that may help them or after {@link #maxUnschedulableDuration} at the latest. Also the
 * {@link Nominator}.
 */
public final class SchedulingQueue implements Nominator {
  public static final Duration DEFAULT_MAX_UNSCHEDULABLE = Duration.ofMinutes(5);

  private final InstantSource clock;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration maxUnschedulableDuration;
  private final Function<PodInfo, PluginStatus> preEnqueue;
  private final Function<String, Set<ClusterEvent>> pluginEvents;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final PriorityQueue<QueuedPodInfo> activeQ;
  private final PriorityQueue<QueuedPodInfo> backoffQ;
  private final Map<String, QueuedPodInfo> active = new HashMap<>();
  private final Map<String, QueuedPodInfo> backoff = new HashMap<>();
  private final Map<String, QueuedPodInfo> unschedulable = new LinkedHashMap<>();
  private final Map<String, List<PodInfo>> nominatedByNode = new HashMap<>();
  private final Map<String, String> nominatedNodeByUid = new HashMap<>();

  /** Lets the per-node nominated-pod lookup of every Filter call skip the lock when none exist. */
  private volatile int nominatedCount;

  private long schedulingCycle;
  private long moveRequestCycle = -1;
  private boolean closed;

  /**
   * @param order the QueueSort order
   * @param preEnqueue the PreEnqueue check of the pod's profile
   * @param pluginEvents events each plugin registered; null means every event
   */
  public SchedulingQueue(
      Comparator<QueuedPodInfo> order,
      Function<PodInfo, PluginStatus> preEnqueue,
      Function<String, Set<ClusterEvent>> pluginEvents,
      InstantSource clock,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration maxUnschedulableDuration) {
    this.activeQ = new PriorityQueue<>(order);
    this.backoffQ = new PriorityQueue<>(Comparator.comparing(this::backoffExpiry));
    this.preEnqueue = preEnqueue;
    this.pluginEvents = pluginEvents;
    this.clock = clock;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.maxUnschedulableDuration = maxUnschedulableDuration;
  }

  /** Adds a new pending pod. */
  public void add(PodInfo pod) {
    lock.lock();
    try {
      QueuedPodInfo q = new QueuedPodInfo(pod, clock.instant());
      updateNomination(pod);
      moveToActiveOrGated(q);
    } finally {
      lock.unlock();
    }
  }

  /** A pending pod changed. */
  public void update(PodInfo oldPod, PodInfo newPod) {
    lock.lock();
    try {
      String key = newPod.uid();
      updateNomination(newPod);
      QueuedPodInfo q = active.get(key);
      if (q != null) {
        activeQ.remove(q);
        q.setPodInfo(newPod);
        activeQ.add(q);
        return;
      }
      q = backoff.get(key);
      if (q != null) {
        backoffQ.remove(q);
        q.setPodInfo(newPod);
        backoffQ.add(q);
        return;
      }
      q = unschedulable.get(key);
      if (q == null) {
        moveToActiveOrGated(new QueuedPodInfo(newPod, clock.instant()));
        return;
      }
      q.setPodInfo(newPod);
      if (q.gated() || schedulingPropertiesChanged(oldPod.pod(), newPod.pod())) {
        unschedulable.remove(key);
        if (q.gated()) {
          moveToActiveOrGated(q);
        } else if (isBackingOff(q)) {
          addToBackoff(q);
        } else {
          addToActive(q);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** A pending pod was deleted, or was bound and leaves the queue. */
  public void delete(PodInfo pod) {
    lock.lock();
    try {
      String key = pod.uid();
      QueuedPodInfo q = active.remove(key);
      if (q != null) {
        activeQ.remove(q);
      }
      q = backoff.remove(key);
      if (q != null) {
        backoffQ.remove(q);
      }
      unschedulable.remove(key);
      deleteNominatedPodIfExists(pod);
    } finally {
      lock.unlock();
    }
  }

  /** Whether the pod is in any of the sub-queues. */
  public boolean contains(String uid) {
    lock.lock();
    try {
      return active.containsKey(uid) || backoff.containsKey(uid) || unschedulable.containsKey(uid);
    } finally {
      lock.unlock();
    }
  }

  /** Blocks until a pod is active and returns it, or returns null once closed. */
  public QueuedPodInfo pop() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (activeQ.isEmpty() && !closed) {
        notEmpty.await();
      }
      return closed ? null : takeHead();
    } finally {
      lock.unlock();
    }
  }

  /** Returns the head of the active queue, or null when it stays empty for {@code timeout}. */
  public QueuedPodInfo poll(Duration timeout) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long nanos = timeout.toNanos();
      while (activeQ.isEmpty() && !closed) {
        if (nanos <= 0) {
          return null;
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      return closed ? null : takeHead();
    } finally {
      lock.unlock();
    }
  }

  private QueuedPodInfo takeHead() {
    QueuedPodInfo q = activeQ.poll();
    active.remove(q.podInfo().uid());
    q.incrementAttempts();
    schedulingCycle++;
    return q;
  }

  /** The number of pods popped so far; a failed pod is requeued with the cycle it was popped in. */
  public long schedulingCycle() {
    lock.lock();
    try {
      return schedulingCycle;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts back a pod whose attempt failed. If a move request happened since its cycle started, or it
   * failed with an error, it goes to backoff; otherwise it waits among the unschedulable pods.
   */
  public void addUnschedulableIfNotPresent(QueuedPodInfo q, long podSchedulingCycle) {
    lock.lock();
    try {
      String key = q.podInfo().uid();
      if (active.containsKey(key) || backoff.containsKey(key) || unschedulable.containsKey(key)) {
        return;
      }
      q.setTimestamp(clock.instant());
      updateNomination(q.podInfo());
      if (moveRequestCycle >= podSchedulingCycle || q.unschedulablePlugins().isEmpty()) {
        addToBackoff(q);
      } else {
        unschedulable.put(key, q);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Moves unschedulable pods that {@code event} may help to the active or backoff queue. */
  public void moveAllToActiveOrBackoff(ClusterEvent event) {
    lock.lock();
    try {
      movePods(event, q -> true);
      moveRequestCycle = schedulingCycle;
    } finally {
      lock.unlock();
    }
  }

  /**
   * An assigned pod was added: only pods whose required affinity terms it matches may now fit (as
   * Kubernetes does without queueing hints).
   */
  public void assignedPodAdded(PodInfo pod, Map<String, String> namespaceLabels) {
    lock.lock();
    try {
      movePods(
          ClusterEvent.ASSIGNED_POD_ADD,
          q -> {
            for (AffinityTerm t : q.podInfo().requiredAffinityTerms()) {
              if (t.matches(pod, namespaceLabels)) {
                return true;
              }
            }
            return false;
          });
    } finally {
      lock.unlock();
    }
  }

  private void movePods(ClusterEvent event, java.util.function.Predicate<QueuedPodInfo> filter) {
    Iterator<QueuedPodInfo> it = unschedulable.values().iterator();
    while (it.hasNext()) {
      QueuedPodInfo q = it.next();
      if (q.gated() || !filter.test(q) || !interested(q, event)) {
        continue;
      }
      it.remove();
      if (isBackingOff(q)) {
        addToBackoff(q);
      } else {
        addToActive(q);
      }
    }
  }

  private boolean interested(QueuedPodInfo q, ClusterEvent event) {
    if (event == ClusterEvent.WILDCARD || q.unschedulablePlugins().isEmpty()) {
      return true;
    }
    for (String plugin : q.unschedulablePlugins()) {
      Set<ClusterEvent> events = pluginEvents.apply(plugin);
      if (events == null || events.contains(event) || events.contains(ClusterEvent.WILDCARD)) {
        return true;
      }
    }
    return false;
  }

  /** Moves pods whose backoff has expired to the active queue (run every second). */
  public void flushBackoffQCompleted() {
    lock.lock();
    try {
      Instant now = clock.instant();
      while (!backoffQ.isEmpty() && !backoffExpiry(backoffQ.peek()).isAfter(now)) {
        QueuedPodInfo q = backoffQ.poll();
        backoff.remove(q.podInfo().uid());
        addToActive(q);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Moves pods unschedulable for longer than the maximum back (run every 30 seconds). */
  public void flushUnschedulablePodsLeftover() {
    lock.lock();
    try {
      Instant now = clock.instant();
      movePods(
          ClusterEvent.WILDCARD,
          q -> Duration.between(q.timestamp(), now).compareTo(maxUnschedulableDuration) > 0);
    } finally {
      lock.unlock();
    }
  }

  /** Pending pod counts by sub-queue: active, backoff, unschedulable, gated. */
  public Map<String, Integer> pendingCounts() {
    lock.lock();
    try {
      int gated = 0;
      for (QueuedPodInfo q : unschedulable.values()) {
        if (q.gated()) {
          gated++;
        }
      }
      Map<String, Integer> counts = new LinkedHashMap<>();
      counts.put("active", active.size());
      counts.put("backoff", backoff.size());
      counts.put("unschedulable", unschedulable.size() - gated);
      counts.put("gated", gated);
      return counts;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes {@link #pop()} callers, which then return null. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The backoff of a pod after {@code attempts} attempts: initial doubled per attempt, capped. */
  public Duration backoffDuration(int attempts) {
    Duration d = initialBackoff;
    for (int i = 1; i < attempts; i++) {
      if (d.compareTo(maxBackoff.minus(d)) > 0) {
        return maxBackoff;
      }
      d = d.plus(d);
    }
    return d;
  }

  private Instant backoffExpiry(QueuedPodInfo q) {
    return q.timestamp().plus(backoffDuration(q.attempts()));
  }

  private boolean isBackingOff(QueuedPodInfo q) {
    return backoffExpiry(q).isAfter(clock.instant());
  }

  private void moveToActiveOrGated(QueuedPodInfo q) {
    PluginStatus s = preEnqueue.apply(q.podInfo());
    if (!s.isSuccess()) {
      q.setGated(true);
      unschedulable.put(q.podInfo().uid(), q);
      return;
    }
    q.setGated(false);
    addToActive(q);
  }

  private void addToActive(QueuedPodInfo q) {
    active.put(q.podInfo().uid(), q);
    activeQ.add(q);
    notEmpty.signal();
  }

  private void addToBackoff(QueuedPodInfo q) {
    backoff.put(q.podInfo().uid(), q);
    backoffQ.add(q);
  }

  /** Spec, labels or annotations changed: what may change the outcome of scheduling. */
  private static boolean schedulingPropertiesChanged(Pod oldPod, Pod newPod) {
    return !Objects.equals(oldPod.getSpec(), newPod.getSpec())
        || !Objects.equals(oldPod.getMetadata().getLabels(), newPod.getMetadata().getLabels())
        || !Objects.equals(
            oldPod.getMetadata().getAnnotations(), newPod.getMetadata().getAnnotations());
  }

  private void updateNomination(PodInfo pod) {
    String node =
        pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
    if (node != null && !node.isEmpty()) {
      addNominatedPod(pod, node);
    }
  }

  @Override
  public List<PodInfo> nominatedPodsForNode(String nodeName) {
    if (nominatedCount == 0) {
      return List.of();
    }
    lock.lock();
    try {
      List<PodInfo> pods = nominatedByNode.get(nodeName);
      return pods == null ? List.of() : List.copyOf(pods);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void addNominatedPod(PodInfo pod, String nodeName) {
    lock.lock();
    try {
      deleteNominatedPodIfExists(pod);
      nominatedNodeByUid.put(pod.uid(), nodeName);
      nominatedByNode.computeIfAbsent(nodeName, n -> new ArrayList<>()).add(pod);
      nominatedCount = nominatedNodeByUid.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void deleteNominatedPodIfExists(PodInfo pod) {
    lock.lock();
    try {
      String node = nominatedNodeByUid.remove(pod.uid());
      if (node == null) {
        return;
      }
      nominatedCount = nominatedNodeByUid.size();
      List<PodInfo> pods = nominatedByNode.get(node);
      pods.removeIf(p -> p.uid().equals(pod.uid()));
      if (pods.isEmpty()) {
        nominatedByNode.remove(node);
      }
    } finally {
      lock.unlock();
    }
  }
}
