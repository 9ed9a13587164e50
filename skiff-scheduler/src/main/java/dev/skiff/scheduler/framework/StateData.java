package dev.skiff.scheduler.framework;

/** A value a plugin keeps in the {@link CycleState}; copied when the state is cloned. */
public interface StateData {
  StateData copy();
}
