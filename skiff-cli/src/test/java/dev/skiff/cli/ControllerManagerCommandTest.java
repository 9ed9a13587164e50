package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.ControllerManagerOptions;
import dev.skiff.controllers.runtime.ServiceAccountCredentials;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ControllerManagerCommandTest {
  @Test
  void horizontalPodAutoscalerFlags() throws Exception {
    ControllerManagerCommand command = new ControllerManagerCommand();
    new CommandLine(command)
        .parseArgs(
            "--kubeconfig",
            "/tmp/kubeconfig",
            "--horizontal-pod-autoscaler-sync-period",
            "2s",
            "--concurrent-horizontal-pod-autoscaler-syncs",
            "3");

    ControllerManagerOptions options = command.options();

    assertThat(options.horizontalPodAutoscalerSyncPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.workers("horizontalpodautoscaling")).isEqualTo(3);
  }

  @Test
  void theSyncPeriodDefaultsToFifteenSeconds() throws Exception {
    ControllerManagerCommand command = new ControllerManagerCommand();
    new CommandLine(command).parseArgs("--kubeconfig", "/tmp/kubeconfig");

    assertThat(command.options().horizontalPodAutoscalerSyncPeriod())
        .isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void theLocalPathProvisionerRunsOnlyWithAStoragePath() throws Exception {
    ControllerManagerCommand off = new ControllerManagerCommand();
    new CommandLine(off).parseArgs("--kubeconfig", "/tmp/kubeconfig");
    ControllerManagerCommand on = new ControllerManagerCommand();
    new CommandLine(on)
        .parseArgs(
            "--kubeconfig", "/tmp/kubeconfig", "--default-local-storage-path", "/srv/volumes");

    assertThat(off.options().localStoragePath()).isEmpty();
    assertThat(on.options().localStoragePath()).contains(Path.of("/srv/volumes"));
  }

  @Test
  void serviceAccountCredentialsAreOffUnlessAsked() {
    Config config = Config.empty();
    config.setMasterUrl("https://127.0.0.1:6443");
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      ControllerManagerCommand off = new ControllerManagerCommand();
      new CommandLine(off).parseArgs("--kubeconfig", "/tmp/kubeconfig");
      ControllerManagerCommand on = new ControllerManagerCommand();
      new CommandLine(on)
          .parseArgs("--kubeconfig", "/tmp/kubeconfig", "--use-service-account-credentials");

      assertThat(off.credentials(client).clientFor("deployment-controller")).isSameAs(client);
      try (var credentials = on.credentials(client)) {
        assertThat(credentials).isInstanceOf(ServiceAccountCredentials.class);
        assertThat(credentials.clientFor("deployment-controller")).isNotSameAs(client);
      }
    }
  }
}
