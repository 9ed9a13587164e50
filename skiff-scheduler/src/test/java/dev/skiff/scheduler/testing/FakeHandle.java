package dev.skiff.scheduler.testing;

import dev.skiff.scheduler.client.ClusterClient;
import dev.skiff.scheduler.framework.Framework;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.Listers;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.Nominator;
import dev.skiff.scheduler.framework.Parallelizer;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.Snapshot;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A plugin {@link Handle} over a fixed snapshot, with a map nominator. */
public final class FakeHandle implements Handle, Nominator {
  public Snapshot snapshot;
  public Listers listers = Listers.empty();
  public final RecordingClusterClient client = new RecordingClusterClient();
  public final FakeClock clock = new FakeClock();
  public final Parallelizer parallelizer = new Parallelizer(1);
  public Framework framework;
  private final Map<String, List<PodInfo>> nominated = new HashMap<>();

  public FakeHandle(List<NodeInfo> nodes) {
    this.snapshot = Snapshot.of(nodes);
  }

  @Override
  public Snapshot snapshot() {
    return snapshot;
  }

  @Override
  public Listers listers() {
    return listers;
  }

  @Override
  public ClusterClient client() {
    return client;
  }

  @Override
  public Nominator nominator() {
    return this;
  }

  @Override
  public InstantSource clock() {
    return clock;
  }

  @Override
  public Parallelizer parallelizer() {
    return parallelizer;
  }

  @Override
  public Framework framework() {
    return framework;
  }

  @Override
  public List<PodInfo> nominatedPodsForNode(String nodeName) {
    return List.copyOf(nominated.getOrDefault(nodeName, List.of()));
  }

  @Override
  public void addNominatedPod(PodInfo pod, String nodeName) {
    nominated.computeIfAbsent(nodeName, n -> new ArrayList<>()).add(pod);
  }

  @Override
  public void deleteNominatedPodIfExists(PodInfo pod) {
    nominated.values().forEach(l -> l.removeIf(p -> p.uid().equals(pod.uid())));
  }
}
