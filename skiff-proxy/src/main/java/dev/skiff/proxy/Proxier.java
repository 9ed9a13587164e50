package dev.skiff.proxy;

import dev.skiff.proxy.state.ProxyState;

/** One proxy mode: makes the node route service traffic as {@link ProxyState} describes. */
public interface Proxier extends AutoCloseable {

  /** Applies {@code state}; throws if the rules could not be applied (the next sync is full). */
  void sync(ProxyState state);

  @Override
  default void close() {}
}
