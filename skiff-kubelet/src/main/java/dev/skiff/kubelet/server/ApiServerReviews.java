package dev.skiff.kubelet.server;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authentication and authorization delegated to the API server, as the kubelet does with {@code
 * --authentication-token-webhook} and {@code --authorization-mode=Webhook}: TokenReview for bearer
 * tokens, SubjectAccessReview for {@code nodes/<subresource>} of this node. Answers are cached like
 * the kubelet's defaults (tokens 2 min; allowed 5 min, denied 30 s).
 */
public final class ApiServerReviews implements KubeletAuthenticator, KubeletAuthorizer {
  static final Duration TOKEN_TTL = Duration.ofMinutes(2);
  static final Duration ALLOWED_TTL = Duration.ofMinutes(5);
  static final Duration DENIED_TTL = Duration.ofSeconds(30);
  private static final int MAX_CACHED = 4096;

  private final KubernetesClient client;
  private final String nodeName;
  private final InstantSource clock;
  private final ConcurrentHashMap<String, Cached<Optional<KubeletUser>>> tokens =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Cached<Boolean>> decisions = new ConcurrentHashMap<>();

  private record Cached<T>(T value, Instant expires) {}

  public ApiServerReviews(KubernetesClient client, String nodeName) {
    this(client, nodeName, InstantSource.system());
  }

  ApiServerReviews(KubernetesClient client, String nodeName, InstantSource clock) {
    this.client = client;
    this.nodeName = nodeName;
    this.clock = clock;
  }

  @Override
  public Optional<KubeletUser> authenticateToken(String token) {
    Instant now = clock.instant();
    Cached<Optional<KubeletUser>> cached = tokens.get(token);
    if (cached != null && cached.expires().isAfter(now)) {
      return cached.value();
    }
    TokenReview review =
        client
            .resource(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build())
            .create();
    Optional<KubeletUser> user = Optional.empty();
    if (review.getStatus() != null
        && Boolean.TRUE.equals(review.getStatus().getAuthenticated())
        && review.getStatus().getUser() != null) {
      var info = review.getStatus().getUser();
      user =
          Optional.of(
              new KubeletUser(
                  info.getUsername(), info.getGroups() == null ? List.of() : info.getGroups()));
    }
    remember(tokens, token, new Cached<>(user, now.plus(TOKEN_TTL)));
    return user;
  }

  @Override
  public boolean allowed(KubeletUser user, String verb, String subresource) {
    String key =
        user.name() + "\0" + String.join("\0", user.groups()) + "\n" + verb + "\n" + subresource;
    Instant now = clock.instant();
    Cached<Boolean> cached = decisions.get(key);
    if (cached != null && cached.expires().isAfter(now)) {
      return cached.value();
    }
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user.name())
            .withGroups(user.groups())
            .withResourceAttributes(
                new ResourceAttributesBuilder()
                    .withVerb(verb)
                    .withGroup("")
                    .withVersion("v1")
                    .withResource("nodes")
                    .withSubresource(subresource)
                    .withName(nodeName)
                    .build())
            .endSpec()
            .build();
    SubjectAccessReview answer = client.resource(review).create();
    boolean allowed =
        answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    remember(decisions, key, new Cached<>(allowed, now.plus(allowed ? ALLOWED_TTL : DENIED_TTL)));
    return allowed;
  }

  private static <T> void remember(ConcurrentHashMap<String, T> cache, String key, T value) {
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    cache.put(key, value);
  }
}
