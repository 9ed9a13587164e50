package dev.skiff.kubelet.eviction;

/**
 * An eviction signal, as the kubelet names it in {@code --eviction-hard}, with the resource the
 * node is short of when it crosses its threshold and the node condition that reports it.
 */
public enum Signal {
  MEMORY_AVAILABLE("memory.available", "memory", Condition.MEMORY_PRESSURE),
  NODEFS_AVAILABLE("nodefs.available", "ephemeral-storage", Condition.DISK_PRESSURE),
  NODEFS_INODES_FREE("nodefs.inodesFree", "inodes", Condition.DISK_PRESSURE),
  IMAGEFS_AVAILABLE("imagefs.available", "ephemeral-storage", Condition.DISK_PRESSURE),
  IMAGEFS_INODES_FREE("imagefs.inodesFree", "inodes", Condition.DISK_PRESSURE),
  PID_AVAILABLE("pid.available", "pids", Condition.PID_PRESSURE);

  /** The node conditions eviction signals report. */
  public enum Condition {
    MEMORY_PRESSURE,
    DISK_PRESSURE,
    PID_PRESSURE
  }

  private final String flagName;
  private final String resource;
  private final Condition condition;

  Signal(String flagName, String resource, Condition condition) {
    this.flagName = flagName;
    this.resource = resource;
    this.condition = condition;
  }

  /** The name in {@code --eviction-hard}, e.g. {@code memory.available}. */
  public String flagName() {
    return flagName;
  }

  /** The resource reclaimed, as the eviction message names it. */
  public String resource() {
    return resource;
  }

  public Condition condition() {
    return condition;
  }

  /** Whether pods are ranked by their disk use (else by memory, or by priority alone for pids). */
  public boolean disk() {
    return condition == Condition.DISK_PRESSURE;
  }

  /** The signal of a flag name. */
  public static Signal of(String flagName) {
    for (Signal s : values()) {
      if (s.flagName.equals(flagName)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown eviction signal " + flagName);
  }
}
