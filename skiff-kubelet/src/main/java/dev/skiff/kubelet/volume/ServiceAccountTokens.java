package dev.skiff.kubelet.volume;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.BoundObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Service-account tokens for {@code serviceAccountToken} projections, as Kubernetes' token manager
 * keeps them: requested through the TokenRequest API bound to the pod, cached per (service account,
 * audience, expiration, pod), and requested again once 80% of the token's lifetime has passed or it
 * is 24 hours old.
 */
public final class ServiceAccountTokens {
  static final Duration MAX_TTL = Duration.ofHours(24);

  /** Issues a token: {@code serviceaccounts/token} create, or a fake in tests. */
  @FunctionalInterface
  public interface TokenIssuer {
    TokenRequest issue(String namespace, String serviceAccount, TokenRequest request);
  }

  private record Key(
      String namespace,
      String serviceAccount,
      List<String> audiences,
      long expirationSeconds,
      String podUid) {}

  private final TokenIssuer issuer;
  private final InstantSource clock;
  private final Map<Key, TokenRequest> cache = new ConcurrentHashMap<>();

  public ServiceAccountTokens(KubernetesClient client) {
    this(
        (namespace, serviceAccount, request) ->
            client
                .serviceAccounts()
                .inNamespace(namespace)
                .withName(serviceAccount)
                .tokenRequest(request),
        InstantSource.system());
  }

  public ServiceAccountTokens(TokenIssuer issuer, InstantSource clock) {
    this.issuer = Objects.requireNonNull(issuer);
    this.clock = Objects.requireNonNull(clock);
  }

  /**
   * The pod's token for this audience (empty for the API server's default) and lifetime, from the
   * cache while it is fresh.
   */
  public String token(Pod pod, String audience, long expirationSeconds) {
    String serviceAccount = serviceAccountName(pod);
    List<String> audiences = audience == null || audience.isEmpty() ? List.of() : List.of(audience);
    Key key =
        new Key(
            pod.getMetadata().getNamespace(),
            serviceAccount,
            audiences,
            expirationSeconds,
            pod.getMetadata().getUid());
    TokenRequest cached = cache.get(key);
    if (cached != null && !requiresRefresh(cached, clock.instant())) {
      return cached.getStatus().getToken();
    }
    TokenRequest request =
        new TokenRequestBuilder()
            .withNewSpec()
            .withAudiences(audiences)
            .withExpirationSeconds(expirationSeconds)
            .withBoundObjectRef(
                new BoundObjectReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("Pod")
                    .withName(pod.getMetadata().getName())
                    .withUid(pod.getMetadata().getUid())
                    .build())
            .endSpec()
            .build();
    TokenRequest issued = issuer.issue(key.namespace(), serviceAccount, request);
    if (issued == null || issued.getStatus() == null || issued.getStatus().getToken() == null) {
      throw new IllegalStateException("the token request returned no token");
    }
    cache.put(key, issued);
    return issued.getStatus().getToken();
  }

  /** Drops the tokens of a pod that is gone. */
  public void forget(String podUid) {
    cache.keySet().removeIf(key -> key.podUid().equals(podUid));
  }

  static String serviceAccountName(Pod pod) {
    String name = pod.getSpec().getServiceAccountName();
    return name == null || name.isEmpty() ? "default" : name;
  }

  /**
   * Whether a token must be requested again: 24 hours after it was issued, or when less than 20% of
   * its lifetime is left. The issue time is the expiry minus the granted lifetime.
   */
  static boolean requiresRefresh(TokenRequest token, Instant now) {
    Long lifetime = token.getSpec() == null ? null : token.getSpec().getExpirationSeconds();
    String expiry = token.getStatus().getExpirationTimestamp();
    if (lifetime == null || expiry == null) {
      return true;
    }
    Instant expires = Instant.parse(expiry);
    Instant issued = expires.minusSeconds(lifetime);
    if (now.isAfter(issued.plus(MAX_TTL))) {
      return true;
    }
    return now.isAfter(expires.minusSeconds(lifetime * 20 / 100));
  }
}
