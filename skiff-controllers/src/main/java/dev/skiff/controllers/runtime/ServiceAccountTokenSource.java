package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token of one controller's ServiceAccount, obtained by the manager through the
 * TokenRequest API ({@code serviceaccounts/token}) and requested again once 80 % of its lifetime
 * has passed, as kube-controller-manager's dynamic client builder does. The ServiceAccount is
 * created in kube-system when it is missing. fabric8 asks for the token before every request.
 */
public final class ServiceAccountTokenSource implements OAuthTokenProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceAccountTokenSource.class);

  public static final String NAMESPACE = "kube-system";

  /** kube-controller-manager's token lifetime for controller clients. */
  public static final long EXPIRATION_SECONDS = 3600;

  private final KubernetesClient manager;
  private final String serviceAccount;
  private final InstantSource clock;
  private final ReentrantLock lock = new ReentrantLock();
  private String token;
  private Instant refreshAt = Instant.MIN;
  private Instant expiresAt = Instant.MIN;

  public ServiceAccountTokenSource(
      KubernetesClient manager, String serviceAccount, InstantSource clock) {
    this.manager = manager;
    this.serviceAccount = serviceAccount;
    this.clock = clock;
  }

  @Override
  public String getToken() {
    lock.lock();
    try {
      Instant now = clock.instant();
      if (token == null || !now.isBefore(refreshAt)) {
        refresh(now);
      }
      return token;
    } finally {
      lock.unlock();
    }
  }

  /** When the current token is requested again (for tests and logs). */
  public Instant refreshAt() {
    lock.lock();
    try {
      return refreshAt;
    } finally {
      lock.unlock();
    }
  }

  private void refresh(Instant now) {
    TokenRequest issued;
    try {
      issued = request();
    } catch (KubernetesClientException e) {
      if (token != null && now.isBefore(expiresAt)) {
        // the current token is still valid: keep using it and try again on the next request
        LOG.warn(
            "event=controller_token_refresh_failed serviceAccount={} code={} message={}",
            serviceAccount,
            e.getCode(),
            e.getMessage());
        return;
      }
      throw e;
    }
    // the granted lifetime, not the server's expiry instant, so clock skew cannot shorten it
    Long granted = issued.getSpec() == null ? null : issued.getSpec().getExpirationSeconds();
    Duration lifetime =
        granted != null && granted > 0
            ? Duration.ofSeconds(granted)
            : Duration.between(now, Instant.parse(issued.getStatus().getExpirationTimestamp()));
    token = issued.getStatus().getToken();
    expiresAt = now.plus(lifetime);
    refreshAt = now.plus(lifetime.multipliedBy(8).dividedBy(10));
    LOG.debug(
        "event=controller_token_issued serviceAccount={} expires={}", serviceAccount, expiresAt);
  }

  private TokenRequest request() {
    try {
      return tokenRequest();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
    createServiceAccount();
    return tokenRequest();
  }

  private TokenRequest tokenRequest() {
    return manager
        .serviceAccounts()
        .inNamespace(NAMESPACE)
        .withName(serviceAccount)
        .tokenRequest(
            new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(EXPIRATION_SECONDS)
                .endSpec()
                .build());
  }

  private void createServiceAccount() {
    try {
      manager
          .serviceAccounts()
          .inNamespace(NAMESPACE)
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName(serviceAccount)
                  .withNamespace(NAMESPACE)
                  .endMetadata()
                  .build())
          .create();
      LOG.info("event=controller_service_account_created serviceAccount={}", serviceAccount);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }
}
