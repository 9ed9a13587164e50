package dev.skiff.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceAccountTokensTest {
  private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

  /** Issues tokens "t1", "t2", ... valid for the requested lifetime from the fake clock's now. */
  private static final class FakeIssuer implements ServiceAccountTokens.TokenIssuer {
    final List<String> accounts = new ArrayList<>();
    final List<TokenRequest> requests = new ArrayList<>();
    final MutableClock clock;

    FakeIssuer(MutableClock clock) {
      this.clock = clock;
    }

    @Override
    public TokenRequest issue(String namespace, String serviceAccount, TokenRequest request) {
      accounts.add(namespace + "/" + serviceAccount);
      requests.add(request);
      long seconds = request.getSpec().getExpirationSeconds();
      return new TokenRequestBuilder(request)
          .withNewStatus()
          .withToken("t" + requests.size())
          .withExpirationTimestamp(clock.now.plusSeconds(seconds).toString())
          .endStatus()
          .build();
    }
  }

  private static final class MutableClock implements InstantSource {
    Instant now = START;

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final MutableClock clock = new MutableClock();
  private final FakeIssuer issuer = new FakeIssuer(clock);
  private final ServiceAccountTokens tokens = new ServiceAccountTokens(issuer, clock);

  private static Pod pod(String uid, String serviceAccount) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p-" + uid)
        .withNamespace("ns")
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(serviceAccount)
        .endSpec()
        .build();
  }

  @Test
  void requestsATokenBoundToThePodWithAudienceAndLifetime() {
    String token = tokens.token(pod("u1", "builder"), "vault", 3607);

    assertThat(token).isEqualTo("t1");
    assertThat(issuer.accounts).containsExactly("ns/builder");
    TokenRequest request = issuer.requests.get(0);
    assertThat(request.getSpec().getAudiences()).containsExactly("vault");
    assertThat(request.getSpec().getExpirationSeconds()).isEqualTo(3607L);
    assertThat(request.getSpec().getBoundObjectRef().getKind()).isEqualTo("Pod");
    assertThat(request.getSpec().getBoundObjectRef().getName()).isEqualTo("p-u1");
    assertThat(request.getSpec().getBoundObjectRef().getUid()).isEqualTo("u1");
  }

  @Test
  void defaultServiceAccountAndNoAudience() {
    tokens.token(pod("u1", null), "", 600);

    assertThat(issuer.accounts).containsExactly("ns/default");
    assertThat(issuer.requests.get(0).getSpec().getAudiences()).isEmpty();
  }

  @Test
  void cachedUntilEightyPercentOfTheLifetimeHasPassed() {
    Pod pod = pod("u1", "sa");
    tokens.token(pod, "", 1000);

    clock.now = START.plusSeconds(800);
    assertThat(tokens.token(pod, "", 1000)).isEqualTo("t1");

    clock.now = START.plusSeconds(801);
    assertThat(tokens.token(pod, "", 1000)).isEqualTo("t2");
    assertThat(issuer.requests).hasSize(2);
  }

  @Test
  void refreshedAfterTwentyFourHoursEvenWhenLongLived() {
    Pod pod = pod("u1", "sa");
    long week = Duration.ofDays(7).toSeconds();
    tokens.token(pod, "", week);

    clock.now = START.plus(Duration.ofHours(24));
    assertThat(tokens.token(pod, "", week)).isEqualTo("t1");
    clock.now = START.plus(Duration.ofHours(24)).plusSeconds(1);
    assertThat(tokens.token(pod, "", week)).isEqualTo("t2");
  }

  @Test
  void tokensAreCachedPerPodAndAudienceAndForgottenWithThePod() {
    tokens.token(pod("u1", "sa"), "a", 3600);
    tokens.token(pod("u2", "sa"), "a", 3600);
    tokens.token(pod("u1", "sa"), "b", 3600);
    assertThat(issuer.requests).hasSize(3);

    tokens.forget("u1");
    assertThat(tokens.token(pod("u1", "sa"), "a", 3600)).isEqualTo("t4");
    assertThat(tokens.token(pod("u2", "sa"), "a", 3600)).isEqualTo("t2");
  }
}
