package dev.skiff.kubelet.sim;

import io.fabric8.kubernetes.api.model.Taint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the flag values of {@code skiff sim-nodes} in kubelet's notation; a bad value fails with a
 * one-line message naming the flag.
 */
public final class SimNodeFlags {
  private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

  private SimNodeFlags() {}

  /** {@code k=v,k2=v2} (as kubelet's --node-labels). */
  public static Map<String, String> labels(List<String> values) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String value : values) {
      int eq = value.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--labels: \"" + value + "\" is not of the form key=value");
      }
      labels.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
    }
    return labels;
  }

  /** {@code key=value:Effect} or {@code key:Effect} (as kubelet's --register-with-taints). */
  public static List<Taint> taints(List<String> values) {
    List<Taint> taints = new ArrayList<>();
    for (String value : values) {
      int colon = value.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "--taints: \"" + value + "\" is not of the form key=value:Effect");
      }
      String effect = value.substring(colon + 1).trim();
      if (!EFFECTS.contains(effect)) {
        throw new IllegalArgumentException(
            "--taints: effect \""
                + effect
                + "\" of \""
                + value
                + "\" must be NoSchedule, PreferNoSchedule or NoExecute");
      }
      String keyValue = value.substring(0, colon);
      int eq = keyValue.indexOf('=');
      String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
      String taintValue = eq < 0 ? null : keyValue.substring(eq + 1);
      if (key.isBlank()) {
        throw new IllegalArgumentException("--taints: \"" + value + "\" has an empty key");
      }
      taints.add(new Taint(effect, key.trim(), null, taintValue));
    }
    return taints;
  }

  /** A Go duration such as {@code 90s}, {@code 10m}, {@code 1h30m} or {@code 500ms}. */
  public static Duration duration(String flag, String value) {
    String text = value.trim();
    Matcher m = DURATION_PART.matcher(text);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < text.length() && m.find(at) && m.start() == at) {
      double amount = Double.parseDouble(m.group(1));
      long millis =
          switch (m.group(2)) {
            case "h" -> Math.round(amount * 3_600_000);
            case "m" -> Math.round(amount * 60_000);
            case "s" -> Math.round(amount * 1_000);
            default -> Math.round(amount);
          };
      total = total.plusMillis(millis);
      at = m.end();
    }
    if (text.isEmpty() || at != text.length()) {
      throw new IllegalArgumentException(
          flag + ": \"" + value + "\" is not a duration such as 90s, 10m or 1h30m");
    }
    return total;
  }
}
