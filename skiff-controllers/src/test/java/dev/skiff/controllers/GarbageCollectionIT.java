package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Garbage collection and namespace deletion against a real API server. */
class GarbageCollectionIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static ControllerManager manager;

  @BeforeAll
  static void start() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of("garbage-collector", "namespace")),
            Clock.systemUTC());
    manager.start();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  private static KubernetesClient client() {
    return cluster.client();
  }

  private static void namespace(String name) {
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  private static ConfigMap owner(String ns, String name) {
    return client()
        .configMaps()
        .inNamespace(ns)
        .resource(new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  private static Secret dependent(String ns, String name, ConfigMap owner) {
    return client()
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withOwnerReferences(
                    new OwnerReferenceBuilder()
                        .withApiVersion("v1")
                        .withKind("ConfigMap")
                        .withName(owner.getMetadata().getName())
                        .withUid(owner.getMetadata().getUid())
                        .withBlockOwnerDeletion(true)
                        .build())
                .endMetadata()
                .build())
        .create();
  }

  @Test
  void deletingAnOwnerDeletesItsDependentsInTheBackground() {
    namespace("gc-background");
    ConfigMap owner = owner("gc-background", "owner");
    dependent("gc-background", "child", owner);

    client().configMaps().inNamespace("gc-background").withName("owner").delete();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client().secrets().inNamespace("gc-background").withName("child").get() == null);
  }

  @Test
  void orphanDeletionKeepsDependentsWithoutTheOwner() {
    namespace("gc-orphan");
    ConfigMap owner = owner("gc-orphan", "owner");
    dependent("gc-orphan", "child", owner);

    client()
        .configMaps()
        .inNamespace("gc-orphan")
        .withName("owner")
        .withPropagationPolicy(DeletionPropagation.ORPHAN)
        .delete();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client().configMaps().inNamespace("gc-orphan").withName("owner").get() == null);
    Secret child = client().secrets().inNamespace("gc-orphan").withName("child").get();
    assertThat(child).isNotNull();
    assertThat(child.getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  @Test
  void foregroundDeletionRemovesDependentsBeforeTheOwner() {
    namespace("gc-foreground");
    ConfigMap owner = owner("gc-foreground", "owner");
    dependent("gc-foreground", "child", owner);

    client()
        .configMaps()
        .inNamespace("gc-foreground")
        .withName("owner")
        .withPropagationPolicy(DeletionPropagation.FOREGROUND)
        .delete();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client().configMaps().inNamespace("gc-foreground").withName("owner").get() == null);
    assertThat(client().secrets().inNamespace("gc-foreground").withName("child").get()).isNull();
  }

  @Test
  void deletingANamespaceEmptiesAndRemovesIt() {
    namespace("doomed");
    owner("doomed", "a");
    client()
        .secrets()
        .inNamespace("doomed")
        .resource(new SecretBuilder().withNewMetadata().withName("s").endMetadata().build())
        .create();

    client().namespaces().withName("doomed").delete();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> client().namespaces().withName("doomed").get() == null);
  }
}
