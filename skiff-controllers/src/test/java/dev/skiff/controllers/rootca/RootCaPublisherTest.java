package dev.skiff.controllers.rootca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RootCaPublisherTest {
  private static final String PEM =
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  private final CacheImpl<Namespace> namespaces = new CacheImpl<>();
  private final CacheImpl<ConfigMap> configMaps = new CacheImpl<>();
  private final List<String> writes = new ArrayList<>();
  private final List<ConfigMap> written = new ArrayList<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(new FakeClock(), QueueMetrics.NONE);
  private final RootCaPublisher publisher =
      new RootCaPublisher(
          namespaces,
          configMaps,
          new RootCaPublisher.ConfigMapWriter() {
            @Override
            public void create(ConfigMap cm) {
              writes.add("create");
              written.add(cm);
            }

            @Override
            public void update(ConfigMap cm) {
              writes.add("update");
              written.add(cm);
            }
          },
          PEM,
          queue);

  @AfterEach
  void close() {
    queue.close();
  }

  @Test
  void publishesTheCaInEveryNamespace() {
    namespaces.put(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build());

    publisher.reconcile(ObjectKey.clusterScoped("team"));

    assertThat(writes).containsExactly("create");
    assertThat(written.get(0).getMetadata().getName()).isEqualTo("kube-root-ca.crt");
    assertThat(written.get(0).getData()).containsExactly(Map.entry("ca.crt", PEM));
  }

  @Test
  void restoresAnEditedConfigMapAndLeavesACorrectOneAlone() {
    namespaces.put(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build());
    configMaps.put(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace("team")
            .withName("kube-root-ca.crt")
            .endMetadata()
            .withData(Map.of("ca.crt", "tampered"))
            .build());

    publisher.reconcile(ObjectKey.clusterScoped("team"));
    assertThat(writes).containsExactly("update");
    assertThat(written.get(0).getData()).containsEntry("ca.crt", PEM);

    configMaps.put(written.get(0));
    publisher.reconcile(ObjectKey.clusterScoped("team"));
    assertThat(writes).containsExactly("update");
  }
}
