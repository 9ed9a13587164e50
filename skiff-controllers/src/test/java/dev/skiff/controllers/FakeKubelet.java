package dev.skiff.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Plays the kubelets of a namespace in integration tests: every pod not yet running is marked
 * Running and Ready through the status subresource, as a kubelet would once its containers start.
 */
final class FakeKubelet implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean paused = new AtomicBoolean(false);
  private final Thread loop;

  private FakeKubelet(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.loop = Thread.ofVirtual().start(this::markPodsReady);
  }

  static FakeKubelet start(KubernetesClient client, String namespace) {
    return new FakeKubelet(client, namespace);
  }

  /** Leaves new pods unready until {@link #resume}. */
  void pause() {
    paused.set(true);
  }

  void resume() {
    paused.set(false);
  }

  private void markPodsReady() {
    while (running.get()) {
      try {
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
          if (paused.get()) {
            break;
          }
          if (pod.getMetadata().getDeletionTimestamp() != null
              || "Running".equals(pod.getStatus() == null ? null : pod.getStatus().getPhase())) {
            continue;
          }
          String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
          pod.getStatus().setPhase("Running");
          pod.getStatus()
              .setConditions(
                  List.of(
                      new PodConditionBuilder()
                          .withType("Ready")
                          .withStatus("True")
                          .withLastTransitionTime(now)
                          .build()));
          client.pods().inNamespace(namespace).resource(pod).updateStatus();
        }
        Thread.sleep(100);
      } catch (KubernetesClientException e) {
        // a pod changed or went away meanwhile: next round
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    loop.join();
  }
}
