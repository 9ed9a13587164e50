package dev.skiff.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server stopped and started again on the same data directory (the embedded sqlite datastore)
 * comes back with what it stored, including the Services it made for itself at first start.
 */
class ControlPlaneRestartTest {
  @TempDir Path dataDir;

  private ControlPlane start() {
    return ControlPlane.start(
        new ControlPlaneOptions(
            dataDir,
            "127.0.0.1",
            0,
            null,
            null,
            null,
            null,
            List.of(),
            dataDir.resolve("admin.kubeconfig")));
  }

  private KubernetesClient client() throws Exception {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))))
        .build();
  }

  @Test
  void restartOnTheSameDataDirectoryKeepsObjectsAndServiceAddresses() throws Exception {
    String kubernetesIp;
    String dnsIp;
    try (ControlPlane first = start();
        KubernetesClient client = client()) {
      client
          .configMaps()
          .inNamespace("default")
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("kept")
                  .endMetadata()
                  .addToData("k", "v")
                  .build())
          .create();
      kubernetesIp =
          client
              .services()
              .inNamespace("default")
              .withName("kubernetes")
              .get()
              .getSpec()
              .getClusterIP();
      dnsIp =
          client
              .services()
              .inNamespace("kube-system")
              .withName("kube-dns")
              .get()
              .getSpec()
              .getClusterIP();
    }

    try (ControlPlane second = start();
        KubernetesClient client = client()) {
      assertThat(client.configMaps().inNamespace("default").withName("kept").get().getData())
          .containsEntry("k", "v");
      assertThat(
              client
                  .services()
                  .inNamespace("default")
                  .withName("kubernetes")
                  .get()
                  .getSpec()
                  .getClusterIP())
          .isEqualTo(kubernetesIp)
          .isEqualTo("10.43.0.1");
      assertThat(
              client
                  .services()
                  .inNamespace("kube-system")
                  .withName("kube-dns")
                  .get()
                  .getSpec()
                  .getClusterIP())
          .isEqualTo(dnsIp)
          .isEqualTo("10.43.0.10");
    }
  }
}
