package dev.skiff.scheduler.framework;

/** Approves, rejects or delays the binding of a reserved pod. */
public interface PermitPlugin extends Plugin {
  PermitResult permit(CycleState state, PodInfo pod, String nodeName);
}
