package dev.skiff.kubelet.pod;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.Container;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import dev.skiff.kubelet.cri.v1.ListPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.PodSandbox;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pod lifecycle event generator: relists every sandbox and container of the runtime each
 * period, compares the states with the previous relist, and reports the pods (by uid) whose
 * sandboxes or containers appeared, changed state or disappeared, so their workers sync at once.
 */
public final class Pleg implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pleg.class);

  /** Receives the result of each relist. */
  public interface Listener {
    /** Pods whose runtime state changed since the previous relist. */
    void changed(Set<String> podUids);

    /** Every pod uid the runtime holds anything for (for orphan cleanup). */
    default void relisted(Set<String> podUids) {}
  }

  private final CriClient cri;
  private final Duration period;
  private final Listener listener;
  private Map<String, Map<String, String>> previous = Map.of();
  private volatile Thread thread;
  private volatile boolean closed;

  public Pleg(CriClient cri, Duration period, Listener listener) {
    this.cri = cri;
    this.period = period;
    this.listener = listener;
  }

  /** Starts relisting on a virtual thread. */
  public void start() {
    thread = Thread.ofVirtual().name("pleg").start(this::loop);
  }

  private void loop() {
    while (!closed) {
      try {
        relist();
      } catch (RuntimeException e) {
        LOG.warn("relist failed error={}", e.toString());
      }
      try {
        Thread.sleep(period);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One relist: reports and returns the pods that changed. */
  public synchronized Set<String> relist() {
    Map<String, Map<String, String>> current = new HashMap<>();
    for (PodSandbox s :
        cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
      String uid = s.getLabelsOrDefault(CriLabels.POD_UID, s.getMetadata().getUid());
      if (!uid.isEmpty()) {
        current
            .computeIfAbsent(uid, u -> new HashMap<>())
            .put("sandbox/" + s.getId(), s.getState().name());
      }
    }
    for (Container c :
        cri.runtime()
            .listContainers(ListContainersRequest.getDefaultInstance())
            .getContainersList()) {
      String uid = c.getLabelsOrDefault(CriLabels.POD_UID, "");
      if (!uid.isEmpty()) {
        current
            .computeIfAbsent(uid, u -> new HashMap<>())
            .put("container/" + c.getId(), c.getState().name());
      }
    }
    Set<String> changed = new HashSet<>();
    for (Map.Entry<String, Map<String, String>> e : current.entrySet()) {
      if (!e.getValue().equals(previous.get(e.getKey()))) {
        changed.add(e.getKey());
      }
    }
    for (String uid : previous.keySet()) {
      if (!current.containsKey(uid)) {
        changed.add(uid);
      }
    }
    previous = current;
    if (!changed.isEmpty()) {
      listener.changed(Set.copyOf(changed));
    }
    listener.relisted(Set.copyOf(current.keySet()));
    return changed;
  }

  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }
}
