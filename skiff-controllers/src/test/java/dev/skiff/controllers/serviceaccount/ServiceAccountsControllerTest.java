package dev.skiff.controllers.serviceaccount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceAccountsControllerTest {
  private final CacheImpl<Namespace> namespaces = new CacheImpl<>();
  private final CacheImpl<ServiceAccount> accounts = new CacheImpl<>();
  private final List<ServiceAccount> created = new ArrayList<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(new FakeClock(), QueueMetrics.NONE);
  private final ServiceAccountsController controller =
      new ServiceAccountsController(namespaces, accounts, created::add, queue);

  @AfterEach
  void close() {
    queue.close();
  }

  @Test
  void createsTheDefaultServiceAccountOnce() {
    namespaces.put(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build());

    controller.reconcile(ObjectKey.clusterScoped("team"));
    assertThat(created)
        .singleElement()
        .satisfies(
            sa -> {
              assertThat(sa.getMetadata().getName()).isEqualTo("default");
              assertThat(sa.getMetadata().getNamespace()).isEqualTo("team");
            });

    accounts.put(created.get(0));
    controller.reconcile(ObjectKey.clusterScoped("team"));
    assertThat(created).hasSize(1);
  }

  @Test
  void skipsTerminatingNamespaces() {
    namespaces.put(
        new NamespaceBuilder()
            .withNewMetadata()
            .withName("gone")
            .endMetadata()
            .withNewStatus()
            .withPhase("Terminating")
            .endStatus()
            .build());

    controller.reconcile(ObjectKey.clusterScoped("gone"));

    assertThat(created).isEmpty();
  }

  @Test
  void deletingTheDefaultServiceAccountEnqueuesItsNamespace() throws InterruptedException {
    controller
        .serviceAccountHandler()
        .onDelete(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withNamespace("team")
                .withName("default")
                .endMetadata()
                .build(),
            false);

    assertThat(queue.get()).isEqualTo(ObjectKey.clusterScoped("team"));
  }
}
