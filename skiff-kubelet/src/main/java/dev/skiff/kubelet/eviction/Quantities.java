package dev.skiff.kubelet.eviction;

/**
 * Amounts as Kubernetes prints a quantity: bytes in binary SI (100Mi when exact, else the number),
 * counts such as inodes and pids in decimal SI (5k when exact).
 */
final class Quantities {
  private static final String[] BINARY = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  private static final String[] DECIMAL = {"E", "P", "T", "G", "M", "k"};

  private Quantities() {}

  static String format(Signal signal, long value) {
    boolean counts = signal.resource().equals("inodes") || signal.resource().equals("pids");
    return counts ? decimal(value) : binary(value);
  }

  static String binary(long value) {
    if (value != 0) {
      for (int i = 0; i < BINARY.length; i++) {
        long unit = 1L << (10 * (BINARY.length - i));
        if (value % unit == 0) {
          return (value / unit) + BINARY[i];
        }
      }
    }
    return Long.toString(value);
  }

  static String decimal(long value) {
    if (value != 0) {
      for (int i = 0; i < DECIMAL.length; i++) {
        long unit = (long) Math.pow(1000, DECIMAL.length - i);
        if (value % unit == 0) {
          return (value / unit) + DECIMAL[i];
        }
      }
    }
    return Long.toString(value);
  }
}
