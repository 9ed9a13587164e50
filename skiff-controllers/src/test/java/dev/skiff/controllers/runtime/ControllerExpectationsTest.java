package dev.skiff.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControllerExpectationsTest {
  private final FakeClock clock = new FakeClock();
  private final ControllerExpectations expectations = new ControllerExpectations(clock);
  private final ObjectKey rs = new ObjectKey("default", "web");

  @Test
  void unknownKeyIsSatisfied() {
    assertThat(expectations.satisfied(rs)).isTrue();
  }

  @Test
  void creationsMustAllBeObserved() {
    expectations.expectCreations(rs, 2);
    assertThat(expectations.satisfied(rs)).isFalse();
    expectations.creationObserved(rs);
    assertThat(expectations.satisfied(rs)).isFalse();
    expectations.creationObserved(rs);
    assertThat(expectations.satisfied(rs)).isTrue();
  }

  @Test
  void loweringForFailedCreationsSatisfies() {
    expectations.expectCreations(rs, 5);
    expectations.creationObserved(rs);
    expectations.lowerCreations(rs, 4);
    assertThat(expectations.satisfied(rs)).isTrue();
  }

  @Test
  void aDeletionObservedTwiceCountsOnce() {
    expectations.expectDeletions(rs, Set.of("default/p1", "default/p2"));
    expectations.deletionObserved(rs, "default/p1");
    expectations.deletionObserved(rs, "default/p1");
    assertThat(expectations.satisfied(rs)).isFalse();
    expectations.deletionObserved(rs, "default/p2");
    assertThat(expectations.satisfied(rs)).isTrue();
  }

  @Test
  void pendingExpectationsExpireAfterFiveMinutes() {
    expectations.expectCreations(rs, 1);
    clock.advance(Duration.ofMinutes(5));
    assertThat(expectations.satisfied(rs)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(expectations.satisfied(rs)).isTrue();
  }

  @Test
  void deleteForgetsTheKey() {
    expectations.expectCreations(rs, 3);
    expectations.delete(rs);
    assertThat(expectations.satisfied(rs)).isTrue();
    assertThat(expectations.describe(rs)).isEqualTo("none");
  }
}
