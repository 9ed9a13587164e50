package dev.skiff.controllers.ttl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TtlAfterFinishedControllerTest {
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<Job> jobs = new CacheImpl<>();
  private final List<String> deleted = new ArrayList<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final TtlAfterFinishedController controller =
      new TtlAfterFinishedController(
          jobs, j -> deleted.add(j.getMetadata().getName()), queue, clock);

  @AfterEach
  void close() {
    queue.close();
  }

  @Test
  void deletesAFinishedJobOnceItsTtlHasPassed() {
    jobs.put(
        new JobBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("done")
            .endMetadata()
            .withNewSpec()
            .withTtlSecondsAfterFinished(100)
            .endSpec()
            .withNewStatus()
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .withLastTransitionTime(clock.instant().toString())
            .endCondition()
            .endStatus()
            .build());
    ObjectKey key = new ObjectKey("default", "done");

    clock.advance(Duration.ofSeconds(40));
    assertThat(controller.reconcile(key).requeueAfter()).contains(Duration.ofSeconds(60));
    assertThat(deleted).isEmpty();

    clock.advance(Duration.ofSeconds(60));
    controller.reconcile(key);
    assertThat(deleted).containsExactly("done");
  }

  @Test
  void runningJobsAreKept() {
    jobs.put(
        new JobBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("running")
            .endMetadata()
            .withNewSpec()
            .withTtlSecondsAfterFinished(0)
            .endSpec()
            .build());

    controller.reconcile(new ObjectKey("default", "running"));

    assertThat(deleted).isEmpty();
  }
}
