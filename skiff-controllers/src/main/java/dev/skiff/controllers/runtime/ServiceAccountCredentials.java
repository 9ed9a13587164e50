package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-controller-manager's {@code --use-service-account-credentials}: each controller gets a
 * client of its own that authenticates with a token of the ServiceAccount kube-system/NAME, so the
 * API server authorizes (and audits) its requests as {@code system:serviceaccount:kube-system:NAME}
 * under the role {@code system:controller:NAME}. The client reaches the same server with the same
 * trust as the manager's client but carries none of its credentials. Its user agent is {@code
 * kube-controller-manager/skiff/NAME}, so managedFields name kube-controller-manager as on
 * Kubernetes.
 */
public final class ServiceAccountCredentials implements ControllerCredentials {
  private final KubernetesClient manager;
  private final InstantSource clock;
  private final List<KubernetesClient> made = new ArrayList<>();

  public ServiceAccountCredentials(KubernetesClient manager, InstantSource clock) {
    this.manager = manager;
    this.clock = clock;
  }

  @Override
  public synchronized KubernetesClient clientFor(String serviceAccount) {
    Config config =
        controllerConfig(
            manager.getConfiguration(),
            serviceAccount,
            new ServiceAccountTokenSource(manager, serviceAccount, clock));
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    made.add(client);
    return client;
  }

  /** The manager's server and trust settings, with the controller's token and user agent. */
  static Config controllerConfig(
      Config base, String serviceAccount, ServiceAccountTokenSource token) {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(base.getMasterUrl())
            .withCaCertFile(base.getCaCertFile())
            .withCaCertData(base.getCaCertData())
            .withTrustCerts(base.isTrustCerts())
            .withDisableHostnameVerification(base.isDisableHostnameVerification())
            .withHttp2Disable(base.isHttp2Disable())
            .withNamespace(base.getNamespace())
            .withConnectionTimeout(base.getConnectionTimeout())
            .withRequestTimeout(base.getRequestTimeout())
            .withUserAgent("kube-controller-manager/skiff/" + serviceAccount)
            .build();
    config.setOauthTokenProvider(token);
    return config;
  }

  @Override
  public synchronized void close() {
    made.forEach(KubernetesClient::close);
    made.clear();
  }
}
