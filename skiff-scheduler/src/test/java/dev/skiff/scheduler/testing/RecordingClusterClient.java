package dev.skiff.scheduler.testing;

import dev.skiff.scheduler.client.ClusterClient;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every write instead of sending it; binding can be made to fail. */
public final class RecordingClusterClient implements ClusterClient {
  public record StatusUpdate(String pod, PodCondition condition, String nominatedNodeName) {}

  public record Preemption(String victim, String preemptor, String node) {}

  public final Map<String, String> bindings = new ConcurrentHashMap<>();
  public final List<StatusUpdate> statusUpdates = new CopyOnWriteArrayList<>();
  public final List<SchedulerEvent> events = new CopyOnWriteArrayList<>();
  public final List<Preemption> preemptions = new CopyOnWriteArrayList<>();
  public final Map<String, String> selectedNodes = new ConcurrentHashMap<>();
  public volatile RuntimeException bindFailure;

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  @Override
  public void bind(Pod pod, String nodeName) {
    if (bindFailure != null) {
      throw bindFailure;
    }
    bindings.put(key(pod), nodeName);
  }

  @Override
  public void updatePodStatus(Pod pod, PodCondition condition, String nominatedNodeName) {
    statusUpdates.add(new StatusUpdate(key(pod), condition, nominatedNodeName));
  }

  @Override
  public void recordEvent(SchedulerEvent event) {
    events.add(event);
  }

  @Override
  public void preemptPod(Pod victim, Pod preemptor, String nodeName) {
    preemptions.add(new Preemption(key(victim), key(preemptor), nodeName));
  }

  @Override
  public void selectNodeForClaim(PersistentVolumeClaim claim, String nodeName) {
    selectedNodes.put(claim.getMetadata().getName(), nodeName);
  }

  @Override
  public void claimVolume(PersistentVolume volume, PersistentVolumeClaim claim) {
    selectedNodes.put(claim.getMetadata().getName(), volume.getMetadata().getName());
  }

  /** Notes of the events with {@code reason}, in order. */
  public List<String> notes(String reason) {
    return events.stream()
        .filter(e -> e.reason().equals(reason))
        .map(SchedulerEvent::note)
        .toList();
  }
}
