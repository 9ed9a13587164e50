package dev.skiff.controllers.servicelb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.ControllerManager;
import dev.skiff.controllers.ControllerManagerOptions;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * servicelb runs by default and "-servicelb" (what `skiff server --disable servicelb` passes) stops
 * it.
 */
class ServiceLoadBalancerSelectionTest {

  @Test
  void onByDefaultAndOffWithMinusServicelb() {
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build())
            .build()) {
      ControllerManagerOptions defaults =
          ControllerManagerOptions.defaults().withLeaderElect(false, "test");

      assertThat(new ControllerManager(client, defaults, Clock.systemUTC()).enabledControllers())
          .contains(ServiceLoadBalancerControllers.NAME);
      assertThat(
              new ControllerManager(
                      client,
                      defaults.withControllers(
                          List.of("*", "-" + ServiceLoadBalancerControllers.NAME)),
                      Clock.systemUTC())
                  .enabledControllers())
          .doesNotContain(ServiceLoadBalancerControllers.NAME)
          .contains("cluster-dns", "endpointslice");
    }
  }
}
