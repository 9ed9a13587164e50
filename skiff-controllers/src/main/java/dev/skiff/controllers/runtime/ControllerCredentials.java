package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Where each controller's API client comes from: the manager's own client for every controller, or
 * a client per controller that acts as its own ServiceAccount (kube-controller-manager's {@code
 * --use-service-account-credentials}).
 */
public interface ControllerCredentials extends AutoCloseable {

  /** The client the controller running as kube-system/{@code serviceAccount} writes with. */
  KubernetesClient clientFor(String serviceAccount);

  /** Closes the clients made since the last close; the credentials stay usable. */
  @Override
  void close();

  /** Every controller acts with the manager's client (and identity). */
  static ControllerCredentials shared(KubernetesClient client) {
    return new ControllerCredentials() {
      @Override
      public KubernetesClient clientFor(String serviceAccount) {
        return client;
      }

      @Override
      public void close() {}
    };
  }
}
