package dev.skiff.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Objects;

/** Toleration matching as Kubernetes defines it. */
final class Taints {
  private Taints() {}

  static boolean tolerates(Toleration t, Taint taint) {
    if (t.getEffect() != null
        && !t.getEffect().isEmpty()
        && !t.getEffect().equals(taint.getEffect())) {
      return false;
    }
    String key = t.getKey() == null ? "" : t.getKey();
    String operator =
        t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
    if (!key.isEmpty() && !key.equals(taint.getKey())) {
      return false;
    }
    if (key.isEmpty() && !operator.equals("Exists")) {
      return false;
    }
    return switch (operator) {
      case "Exists" -> true;
      case "Equal" -> Objects.equals(emptyIfNull(t.getValue()), emptyIfNull(taint.getValue()));
      default -> false;
    };
  }

  static boolean toleratedBy(Taint taint, List<Toleration> tolerations) {
    if (tolerations == null) {
      return false;
    }
    for (Toleration t : tolerations) {
      if (tolerates(t, taint)) {
        return true;
      }
    }
    return false;
  }

  private static String emptyIfNull(String s) {
    return s == null ? "" : s;
  }
}
