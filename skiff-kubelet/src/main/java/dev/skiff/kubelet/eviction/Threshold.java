package dev.skiff.kubelet.eviction;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/**
 * A hard eviction threshold: the signal crosses it when what is available falls below a quantity or
 * a percentage of the capacity ({@code memory.available<100Mi}, {@code nodefs.available<10%}).
 *
 * @param quantity the absolute threshold, or null when given as a percentage
 * @param percentage the threshold as a fraction of the capacity (0.1 for 10%), when quantity is
 *     null
 */
public record Threshold(Signal signal, Quantity quantity, double percentage) {

  /** The kubelet's default hard thresholds on Linux. */
  public static final String DEFAULTS =
      "memory.available<100Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%";

  /**
   * Parses the {@code --eviction-hard} syntax: {@code SIGNAL<QUANTITY|PERCENT%}, comma separated.
   */
  public static List<Threshold> parse(String spec) {
    List<Threshold> thresholds = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return thresholds;
    }
    for (String part : spec.split(",")) {
      String item = part.strip();
      int lt = item.indexOf('<');
      if (lt <= 0 || lt == item.length() - 1) {
        throw new IllegalArgumentException(
            "eviction threshold must be SIGNAL<QUANTITY or SIGNAL<PERCENT%, got " + item);
      }
      Signal signal = Signal.of(item.substring(0, lt).strip());
      String value = item.substring(lt + 1).strip();
      if (thresholds.stream().anyMatch(t -> t.signal() == signal)) {
        throw new IllegalArgumentException("eviction threshold " + signal.flagName() + " repeated");
      }
      if (value.endsWith("%")) {
        double percent = Double.parseDouble(value.substring(0, value.length() - 1));
        if (percent < 0 || percent > 100) {
          throw new IllegalArgumentException(
              "eviction threshold percentage must be 0-100%, got " + item);
        }
        thresholds.add(new Threshold(signal, null, percent / 100));
      } else {
        Quantity quantity = new Quantity(value);
        if (Quantity.getAmountInBytes(quantity).signum() < 0) {
          throw new IllegalArgumentException("eviction threshold must not be negative: " + item);
        }
        thresholds.add(new Threshold(signal, quantity, 0));
      }
    }
    return thresholds;
  }

  /** The threshold in bytes (or inodes, or pids) for a signal with this capacity. */
  public long value(long capacity) {
    if (quantity != null) {
      return Quantity.getAmountInBytes(quantity).longValue();
    }
    return (long) (capacity * percentage);
  }

  /** The threshold as the eviction message shows it: the quantity as given, or what % makes. */
  public String describe(long capacity) {
    return quantity != null ? quantity.toString() : Quantities.format(signal, value(capacity));
  }
}
