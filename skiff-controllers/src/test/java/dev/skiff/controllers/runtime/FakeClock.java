package dev.skiff.controllers.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock tests move by hand. */
public final class FakeClock implements InstantSource {
  private Instant now;

  public FakeClock(Instant start) {
    this.now = start;
  }

  public FakeClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  public synchronized void advance(Duration duration) {
    now = now.plus(duration);
  }
}
