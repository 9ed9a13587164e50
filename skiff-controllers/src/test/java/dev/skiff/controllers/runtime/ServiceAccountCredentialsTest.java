package dev.skiff.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class ServiceAccountCredentialsTest {
  private static final Config MANAGER =
      new ConfigBuilder(Config.empty())
          .withMasterUrl("https://127.0.0.1:6443")
          .withCaCertData("Q0E=")
          .withClientCertData("Q0VSVA==")
          .withClientKeyData("S0VZ")
          .withOauthToken("manager-token")
          .withUsername("manager")
          .withPassword("secret")
          .withImpersonateUsername("someone")
          .withRequestTimeout(7000)
          .build();

  /** A client that is never used to connect: only the token source needs one. */
  private static KubernetesClient plainClient() {
    Config config = Config.empty();
    config.setMasterUrl("https://127.0.0.1:6443");
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  @Test
  void theControllersClientKeepsTheServerAndTrustButNoneOfTheManagersCredentials() {
    try (KubernetesClient manager = plainClient()) {
      ServiceAccountTokenSource token =
          new ServiceAccountTokenSource(manager, "job-controller", InstantSource.system());
      Config config = ServiceAccountCredentials.controllerConfig(MANAGER, "job-controller", token);

      assertThat(config.getMasterUrl()).isEqualTo(MANAGER.getMasterUrl());
      assertThat(config.getCaCertData()).isEqualTo("Q0E=");
      assertThat(config.getRequestTimeout()).isEqualTo(7000);
      assertThat(config.getClientCertData()).isNull();
      assertThat(config.getClientKeyData()).isNull();
      assertThat(config.getOauthToken()).isNull();
      assertThat(config.getUsername()).isNull();
      assertThat(config.getPassword()).isNull();
      assertThat(config.getImpersonateUsername()).isNull();
      assertThat(config.getOauthTokenProvider()).isSameAs(token);
      assertThat(config.getUserAgent()).isEqualTo("kube-controller-manager/skiff/job-controller");
    }
  }

  @Test
  void closingClosesTheClientsItMadeAndStaysUsable() {
    try (KubernetesClient manager = plainClient()) {
      ServiceAccountCredentials credentials =
          new ServiceAccountCredentials(manager, InstantSource.system());
      KubernetesClient first = credentials.clientFor("job-controller");
      credentials.close();
      assertThat(first.getHttpClient().isClosed()).isTrue();
      KubernetesClient second = credentials.clientFor("job-controller");
      assertThat(second.getHttpClient().isClosed()).isFalse();
      credentials.close();
    }
  }
}
