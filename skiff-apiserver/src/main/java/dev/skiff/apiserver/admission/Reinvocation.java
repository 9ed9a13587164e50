package dev.skiff.apiserver.admission;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Kubernetes' admission reinvocation context for one write's mutating phase: a plugin (the
 * MutatingAdmissionWebhook) asks for a second round with {@link #request()}, and {@link
 * AdmissionChain#mutate} then runs every mutating plugin once more, with {@link #isReinvoking()}
 * true. There is never a third round. Plugins keep what they need between the rounds in {@link
 * #state}.
 */
public final class Reinvocation {
  private static final ThreadLocal<Reinvocation> CURRENT = new ThreadLocal<>();

  private final Map<Object, Object> state = new HashMap<>();
  private boolean requested;
  private boolean reinvoking;

  /** The context of the mutating phase running on this thread, if any. */
  public static Optional<Reinvocation> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /**
   * Runs {@code round} as the first round and, when a plugin asked for it, once more as the
   * reinvocation round, with this context current.
   */
  public void run(Runnable round) {
    Reinvocation outer = CURRENT.get();
    CURRENT.set(this);
    try {
      round.run();
      if (requested && !reinvoking) {
        reinvoking = true;
        round.run();
      }
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
  }

  /** Asks for the reinvocation round (ignored during it). */
  public void request() {
    requested = true;
  }

  public boolean requested() {
    return requested;
  }

  /** Whether this is the second (reinvocation) round. */
  public boolean isReinvoking() {
    return reinvoking;
  }

  /** The state {@code key} names, made by {@code initial} on first use. */
  @SuppressWarnings("unchecked")
  public <T> T state(Object key, Supplier<T> initial) {
    return (T) state.computeIfAbsent(key, k -> initial.get());
  }
}
