package dev.skiff.kubelet.pod;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import java.util.Optional;

/**
 * The resource use a simulated pod claims through its annotations {@code sim.skiff.io/cpu-usage}
 * and {@code sim.skiff.io/memory-usage} (quantities such as {@code 250m} and {@code 64Mi}), for a
 * metrics API to report. Either may be absent.
 */
public record PodUsage(Quantity cpu, Quantity memory) {
  public static final String CPU_ANNOTATION = "sim.skiff.io/cpu-usage";
  public static final String MEMORY_ANNOTATION = "sim.skiff.io/memory-usage";

  /** The usage the annotations declare, or empty when neither is set or parses as a quantity. */
  public static Optional<PodUsage> fromAnnotations(Map<String, String> annotations) {
    if (annotations == null) {
      return Optional.empty();
    }
    Quantity cpu = quantity(annotations.get(CPU_ANNOTATION));
    Quantity memory = quantity(annotations.get(MEMORY_ANNOTATION));
    return cpu == null && memory == null
        ? Optional.empty()
        : Optional.of(new PodUsage(cpu, memory));
  }

  private static Quantity quantity(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      Quantity quantity = new Quantity(value.trim());
      quantity.getNumericalAmount();
      return quantity;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
