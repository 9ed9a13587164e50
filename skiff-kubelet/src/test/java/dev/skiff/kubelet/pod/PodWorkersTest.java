package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PodWorkersTest {

  /** Records every call; syncs of blocked pods wait on a latch, failing pods throw. */
  static final class RecordingSyncer implements PodSyncer {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, CountDownLatch> blocked = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    final Set<String> finished = ConcurrentHashMap.newKeySet();

    @Override
    public SyncResult syncPod(Pod pod) {
      String uid = pod.getMetadata().getUid();
      calls.add("sync " + uid + " " + pod.getMetadata().getResourceVersion());
      CountDownLatch latch = blocked.get(uid);
      if (latch != null) {
        try {
          latch.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      AtomicInteger failures = failuresLeft.get(uid);
      if (failures != null && failures.getAndDecrement() > 0) {
        throw new IllegalStateException("runtime unavailable");
      }
      return new SyncResult(finished.contains(uid), null);
    }

    @Override
    public void terminatePod(Pod pod, Duration gracePeriod) {
      calls.add("terminate " + pod.getMetadata().getUid() + " " + gracePeriod.toSeconds());
    }

    @Override
    public void terminatedPod(Pod pod, boolean remove, boolean goneFromApi) {
      calls.add("terminated " + pod.getMetadata().getUid() + " " + remove + " " + goneFromApi);
    }

    @Override
    public void removeOrphan(String podUid) {
      calls.add("orphan " + podUid);
    }

    long count(String prefix) {
      return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
  }

  private final RecordingSyncer syncer = new RecordingSyncer();
  private final PodWorkers workers =
      new PodWorkers(
          syncer, Duration.ofMinutes(5), Duration.ofMillis(20), Thread.ofVirtual().factory());

  @AfterEach
  void close() {
    syncer.blocked.values().forEach(CountDownLatch::countDown);
    workers.close();
  }

  private static Pod pod(String uid, String version) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("pod-" + uid)
        .withNamespace("default")
        .withUid(uid)
        .withResourceVersion(version)
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(12L)
        .endSpec()
        .build();
  }

  private static Pod deleted(String uid, String version, long grace) {
    return new PodBuilder(pod(uid, version))
        .editMetadata()
        .withDeletionTimestamp("2026-11-25T10:00:00Z")
        .withDeletionGracePeriodSeconds(grace)
        .endMetadata()
        .build();
  }

  @Test
  void podIsSyncedThenTerminatedWithTheDeletionsGracePeriodAndItsWorkerEnds() {
    workers.update(pod("a", "1"));
    await().until(() -> syncer.calls.contains("sync a 1"));
    assertThat(workers.state("a")).isEqualTo(PodWorkers.State.SYNCING);

    workers.update(deleted("a", "2", 7));

    await().until(() -> workers.state("a") == null);
    assertThat(syncer.calls)
        .containsSubsequence("sync a 1", "terminate a 7", "terminated a true false");
    assertThat(workers.uids()).isEmpty();

    workers.update(deleted("a", "3", 7)); // a late event about a removed pod starts nothing
    assertThat(workers.uids()).isEmpty();
  }

  @Test
  void updatesCoalesceToTheNewestPod() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    syncer.blocked.put("a", release);
    workers.update(pod("a", "1"));
    await().until(() -> syncer.calls.contains("sync a 1"));

    workers.update(pod("a", "2"));
    workers.update(pod("a", "3"));
    workers.update(pod("a", "4"));
    syncer.blocked.remove("a");
    release.countDown();

    await().until(() -> syncer.calls.contains("sync a 4"));
    assertThat(syncer.calls).doesNotContain("sync a 2", "sync a 3");
  }

  @Test
  void aStuckPodDoesNotHoldUpOthers() {
    syncer.blocked.put("stuck", new CountDownLatch(1));
    workers.update(pod("stuck", "1"));
    workers.update(pod("b", "1"));
    workers.update(deleted("b", "2", 0));

    await().until(() -> syncer.calls.contains("terminated b true false"));
    assertThat(workers.state("stuck")).isEqualTo(PodWorkers.State.SYNCING);
  }

  @Test
  void failedSyncIsRetriedWithBackOff() {
    syncer.failuresLeft.put("a", new AtomicInteger(3));
    workers.update(pod("a", "1"));
    await().until(() -> syncer.count("sync a") >= 4);
    assertThat(workers.state("a")).isEqualTo(PodWorkers.State.SYNCING);
  }

  @Test
  void finishedPodIsStoppedAndKeptUntilDeleted() {
    syncer.finished.add("a");
    workers.update(pod("a", "1"));
    await().until(() -> syncer.calls.contains("terminated a false false"));
    assertThat(workers.state("a")).isEqualTo(PodWorkers.State.TERMINATED);
    assertThat(syncer.calls).contains("terminate a 12");

    workers.wake("a");
    workers.update(pod("a", "2"));
    workers.update(deleted("a", "3", 0));
    await().until(() -> workers.state("a") == null);
    assertThat(syncer.count("terminated a false")).isEqualTo(1);
    assertThat(syncer.calls).endsWith("terminated a true false");
  }

  @Test
  void podGoneFromTheApiIsTerminatedAndRemovedWithoutConfirmation() {
    workers.update(pod("a", "1"));
    await().until(() -> syncer.calls.contains("sync a 1"));
    workers.remove(pod("a", "1"));
    await().until(() -> workers.state("a") == null);
    assertThat(syncer.calls).containsSubsequence("terminate a 12", "terminated a true true");
  }

  @Test
  void wakeSyncsAgain() {
    workers.update(pod("a", "1"));
    await().until(() -> syncer.count("sync a 1") == 1);
    workers.wake("a");
    await().until(() -> syncer.count("sync a 1") == 2);
    workers.wake("unknown");
    assertThat(workers.uids()).containsExactly("a");
  }

  @Test
  void gracePeriodPrefersTheDeletionsThenTheSpecsThenThirtySeconds() {
    assertThat(PodWorkers.gracePeriod(deleted("a", "1", 3))).isEqualTo(Duration.ofSeconds(3));
    assertThat(PodWorkers.gracePeriod(pod("a", "1"))).isEqualTo(Duration.ofSeconds(12));
    Pod bare =
        new PodBuilder()
            .withNewMetadata()
            .withUid("x")
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .build();
    assertThat(PodWorkers.gracePeriod(bare)).isEqualTo(Duration.ofSeconds(30));
  }
}
