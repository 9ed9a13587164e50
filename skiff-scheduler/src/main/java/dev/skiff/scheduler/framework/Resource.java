package dev.skiff.scheduler.framework;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * A mutable bundle of resource amounts in the scheduler's units: milli-CPU, bytes, pod count and
 * integer amounts of extended ("scalar") resources.
 */
public final class Resource {
  public static final String CPU = "cpu";
  public static final String MEMORY = "memory";
  public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
  public static final String PODS = "pods";

  public long milliCpu;
  public long memory;
  public long ephemeralStorage;
  public long allowedPodNumber;
  private Map<String, Long> scalar;

  public Resource() {}

  /** Reads a ResourceList (requests, allocatable, overhead); null means empty. */
  public static Resource of(Map<String, Quantity> list) {
    Resource r = new Resource();
    if (list != null) {
      list.forEach((name, q) -> r.set(name, amount(name, q)));
    }
    return r;
  }

  /** The amount of {@code q} in scheduler units for {@code name} (milli for cpu), rounded up. */
  public static long amount(String name, Quantity q) {
    if (q == null) {
      return 0;
    }
    BigDecimal value = Quantity.getAmountInBytes(q);
    if (CPU.equals(name)) {
      value = value.movePointRight(3);
    }
    return value.setScale(0, RoundingMode.CEILING).longValueExact();
  }

  public long get(String name) {
    return switch (name) {
      case CPU -> milliCpu;
      case MEMORY -> memory;
      case EPHEMERAL_STORAGE -> ephemeralStorage;
      case PODS -> allowedPodNumber;
      default -> scalar == null ? 0 : scalar.getOrDefault(name, 0L);
    };
  }

  public void set(String name, long value) {
    switch (name) {
      case CPU -> milliCpu = value;
      case MEMORY -> memory = value;
      case EPHEMERAL_STORAGE -> ephemeralStorage = value;
      case PODS -> allowedPodNumber = value;
      default -> {
        if (scalar == null) {
          scalar = new HashMap<>(4);
        }
        scalar.put(name, value);
      }
    }
  }

  /** Extended and other non-core resources, never null. */
  public Map<String, Long> scalarResources() {
    return scalar == null ? Map.of() : scalar;
  }

  public void add(Resource other) {
    milliCpu += other.milliCpu;
    memory += other.memory;
    ephemeralStorage += other.ephemeralStorage;
    allowedPodNumber += other.allowedPodNumber;
    other.scalarResources().forEach((k, v) -> set(k, get(k) + v));
  }

  public void subtract(Resource other) {
    milliCpu -= other.milliCpu;
    memory -= other.memory;
    ephemeralStorage -= other.ephemeralStorage;
    allowedPodNumber -= other.allowedPodNumber;
    other.scalarResources().forEach((k, v) -> set(k, get(k) - v));
  }

  /** Raises every amount to at least the amount in {@code other}. */
  public void setMaxOf(Resource other) {
    milliCpu = Math.max(milliCpu, other.milliCpu);
    memory = Math.max(memory, other.memory);
    ephemeralStorage = Math.max(ephemeralStorage, other.ephemeralStorage);
    allowedPodNumber = Math.max(allowedPodNumber, other.allowedPodNumber);
    other.scalarResources().forEach((k, v) -> set(k, Math.max(get(k), v)));
  }

  public Resource copy() {
    Resource r = new Resource();
    r.add(this);
    return r;
  }

  @Override
  public String toString() {
    return "Resource{cpu="
        + milliCpu
        + "m, memory="
        + memory
        + ", ephemeral-storage="
        + ephemeralStorage
        + ", pods="
        + allowedPodNumber
        + ", scalar="
        + scalarResources()
        + "}";
  }
}
