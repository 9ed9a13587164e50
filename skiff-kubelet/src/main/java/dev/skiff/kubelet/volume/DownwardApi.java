package dev.skiff.kubelet.volume;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The downward API's values, shared by environment variables and downwardAPI volumes: pod metadata
 * by field path (with the {@code ['key']} subscripts and the sorted {@code key="value"} rendering
 * of whole label and annotation maps) and container resources by resource field (ceiling of the
 * value divided by the divisor; a missing limit defaults to the node's allocatable).
 */
public final class DownwardApi {
  private static final List<String> DEFAULTED_LIMITS =
      List.of("cpu", "memory", "ephemeral-storage");

  private DownwardApi() {}

  /**
   * A metadata field of the pod: {@code metadata.name}, {@code namespace}, {@code uid}, {@code
   * labels}, {@code annotations}, or {@code metadata.labels['k']} / {@code
   * metadata.annotations['k']}.
   *
   * @throws IllegalArgumentException "unsupported fieldPath: ..." for anything else
   */
  public static String metadataField(Pod pod, String fieldPath) {
    int open = fieldPath.indexOf("['");
    if (open > 0 && fieldPath.endsWith("']")) {
      String path = fieldPath.substring(0, open);
      String key = fieldPath.substring(open + 2, fieldPath.length() - 2);
      Map<String, String> map =
          switch (path) {
            case "metadata.labels" -> pod.getMetadata().getLabels();
            case "metadata.annotations" -> pod.getMetadata().getAnnotations();
            default -> throw new IllegalArgumentException("unsupported fieldPath: " + fieldPath);
          };
      return map == null ? "" : map.getOrDefault(key, "");
    }
    return switch (fieldPath) {
      case "metadata.annotations" -> formatMap(pod.getMetadata().getAnnotations());
      case "metadata.labels" -> formatMap(pod.getMetadata().getLabels());
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      default -> throw new IllegalArgumentException("unsupported fieldPath: " + fieldPath);
    };
  }

  /**
   * A resource of a container for {@code resourceFieldRef} (env) or a downwardAPI volume item.
   *
   * @param container the container as it runs; missing limits are filled from {@code allocatable}
   * @throws IllegalArgumentException for an unsupported resource
   */
  public static String resourceField(
      ResourceFieldSelector selector, Container container, Map<String, Quantity> allocatable) {
    Container defaulted = withDefaultLimits(container, allocatable);
    BigDecimal divisor =
        selector.getDivisor() == null || selector.getDivisor().getNumericalAmount().signum() == 0
            ? BigDecimal.ONE
            : selector.getDivisor().getNumericalAmount();
    String resource = selector.getResource();
    Map<String, Quantity> limits = limits(defaulted);
    Map<String, Quantity> requests = requests(defaulted);
    return switch (resource) {
      case "limits.cpu" -> cpu(limits.get("cpu"), divisor);
      case "limits.memory" -> whole(limits.get("memory"), divisor);
      case "limits.ephemeral-storage" -> whole(limits.get("ephemeral-storage"), divisor);
      case "requests.cpu" -> cpu(requests.get("cpu"), divisor);
      case "requests.memory" -> whole(requests.get("memory"), divisor);
      case "requests.ephemeral-storage" -> whole(requests.get("ephemeral-storage"), divisor);
      default -> {
        if (resource.startsWith("requests.hugepages-")) {
          yield whole(requests.get(resource.substring("requests.".length())), divisor);
        }
        if (resource.startsWith("limits.hugepages-")) {
          yield whole(limits.get(resource.substring("limits.".length())), divisor);
        }
        throw new IllegalArgumentException("unsupported container resource : " + resource);
      }
    };
  }

  /** The container with every unset cpu, memory and ephemeral-storage limit set to allocatable. */
  public static Container withDefaultLimits(
      Container container, Map<String, Quantity> allocatable) {
    Map<String, Quantity> limits = new HashMap<>(limits(container));
    boolean changed = false;
    for (String resource : DEFAULTED_LIMITS) {
      if (!limits.containsKey(resource) && allocatable.containsKey(resource)) {
        limits.put(resource, allocatable.get(resource));
        changed = true;
      }
    }
    if (!changed) {
      return container;
    }
    ResourceRequirements resources =
        container.getResources() == null ? new ResourceRequirements() : container.getResources();
    return new ContainerBuilder(container)
        .withNewResourcesLike(resources)
        .withLimits(limits)
        .endResources()
        .build();
  }

  /**
   * Kubernetes' rendering of a label or annotation map: sorted {@code key="quoted value"} lines.
   */
  public static String formatMap(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> entry : new TreeMap<>(map).entrySet()) {
      if (!out.isEmpty()) {
        out.append('\n');
      }
      out.append(entry.getKey()).append('=').append(goQuote(entry.getValue()));
    }
    return out.toString();
  }

  /** A double-quoted string with Go's escapes (as {@code %q} prints it). */
  static String goQuote(String value) {
    StringBuilder out = new StringBuilder("\"");
    value
        .codePoints()
        .forEach(
            cp -> {
              switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0b -> out.append("\\v");
                default -> {
                  if (cp < 0x20 || cp == 0x7f) {
                    out.append(String.format("\\x%02x", cp));
                  } else if (Character.isISOControl(cp) || !Character.isDefined(cp)) {
                    out.append(
                        cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                  } else {
                    out.appendCodePoint(cp);
                  }
                }
              }
            });
    return out.append('"').toString();
  }

  private static String cpu(Quantity quantity, BigDecimal divisor) {
    BigDecimal milli = milliValue(quantity);
    BigDecimal divisorMilli = divisor.movePointRight(3).setScale(0, RoundingMode.CEILING);
    return milli.divide(divisorMilli, 0, RoundingMode.CEILING).toPlainString();
  }

  private static String whole(Quantity quantity, BigDecimal divisor) {
    BigDecimal value =
        quantity == null
            ? BigDecimal.ZERO
            : quantity.getNumericalAmount().setScale(0, RoundingMode.CEILING);
    BigDecimal divisorValue = divisor.setScale(0, RoundingMode.CEILING);
    return value.divide(divisorValue, 0, RoundingMode.CEILING).toPlainString();
  }

  /** A quantity in thousandths, rounded up (Kubernetes' MilliValue); 0 when absent. */
  public static BigDecimal milliValue(Quantity quantity) {
    return quantity == null
        ? BigDecimal.ZERO
        : quantity.getNumericalAmount().movePointRight(3).setScale(0, RoundingMode.CEILING);
  }

  /** A quantity in whole units, rounded up (Kubernetes' Value); 0 when absent. */
  public static long value(Quantity quantity) {
    return quantity == null
        ? 0
        : quantity.getNumericalAmount().setScale(0, RoundingMode.CEILING).longValueExact();
  }

  static Map<String, Quantity> limits(Container container) {
    return container.getResources() == null || container.getResources().getLimits() == null
        ? Map.of()
        : container.getResources().getLimits();
  }

  static Map<String, Quantity> requests(Container container) {
    return container.getResources() == null || container.getResources().getRequests() == null
        ? Map.of()
        : container.getResources().getRequests();
  }
}
