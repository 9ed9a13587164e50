package dev.skiff.apiserver.admission.policy;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.ListType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelFunctionBinding;
import dev.skiff.api.quantity.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' own CEL functions that policies commonly use, declared for cel-java: the quantity
 * library ({@code quantity("1Gi")}, {@code isQuantity}, {@code sign}, {@code isInteger}, {@code
 * asInteger}, {@code asApproximateFloat}, {@code add}, {@code sub}, {@code isLessThan}, {@code
 * isGreaterThan}, {@code compareTo}), the lists library ({@code isSorted}, {@code sum}, {@code
 * min}, {@code max}, {@code indexOf}, {@code lastIndexOf}) and the regex library ({@code find},
 * {@code findAll}).
 */
final class KubernetesCelLibrary {
  static final OpaqueType QUANTITY = OpaqueType.create("kubernetes.Quantity");
  private static final ListType LIST = ListType.create(SimpleType.DYN);

  private KubernetesCelLibrary() {}

  static List<CelFunctionDecl> declarations() {
    return List.of(
        CelFunctionDecl.newFunctionDeclaration(
            "quantity",
            CelOverloadDecl.newGlobalOverload("string_to_quantity", QUANTITY, SimpleType.STRING)),
        CelFunctionDecl.newFunctionDeclaration(
            "isQuantity",
            CelOverloadDecl.newGlobalOverload(
                "is_quantity_string", SimpleType.BOOL, SimpleType.STRING)),
        member("sign", "quantity_sign", SimpleType.INT, QUANTITY),
        member("isInteger", "quantity_is_integer", SimpleType.BOOL, QUANTITY),
        member("asInteger", "quantity_as_integer", SimpleType.INT, QUANTITY),
        member("asApproximateFloat", "quantity_as_float", SimpleType.DOUBLE, QUANTITY),
        CelFunctionDecl.newFunctionDeclaration(
            "add",
            CelOverloadDecl.newMemberOverload("quantity_add", QUANTITY, QUANTITY, QUANTITY),
            CelOverloadDecl.newMemberOverload(
                "quantity_add_int", QUANTITY, QUANTITY, SimpleType.INT)),
        CelFunctionDecl.newFunctionDeclaration(
            "sub",
            CelOverloadDecl.newMemberOverload("quantity_sub", QUANTITY, QUANTITY, QUANTITY),
            CelOverloadDecl.newMemberOverload(
                "quantity_sub_int", QUANTITY, QUANTITY, SimpleType.INT)),
        member("isLessThan", "quantity_less", SimpleType.BOOL, QUANTITY, QUANTITY),
        member("isGreaterThan", "quantity_greater", SimpleType.BOOL, QUANTITY, QUANTITY),
        member("compareTo", "quantity_compare", SimpleType.INT, QUANTITY, QUANTITY),
        member("isSorted", "list_is_sorted", SimpleType.BOOL, LIST),
        member("sum", "list_sum", SimpleType.DYN, LIST),
        member("min", "list_min", SimpleType.DYN, LIST),
        member("max", "list_max", SimpleType.DYN, LIST),
        member("indexOf", "list_index_of", SimpleType.INT, LIST, SimpleType.DYN),
        member("lastIndexOf", "list_last_index_of", SimpleType.INT, LIST, SimpleType.DYN),
        member("find", "string_find", SimpleType.STRING, SimpleType.STRING, SimpleType.STRING),
        CelFunctionDecl.newFunctionDeclaration(
            "findAll",
            CelOverloadDecl.newMemberOverload(
                "string_find_all",
                ListType.create(SimpleType.STRING),
                SimpleType.STRING,
                SimpleType.STRING),
            CelOverloadDecl.newMemberOverload(
                "string_find_all_n",
                ListType.create(SimpleType.STRING),
                SimpleType.STRING,
                SimpleType.STRING,
                SimpleType.INT)));
  }

  private static CelFunctionDecl member(
      String name,
      String overload,
      dev.cel.common.types.CelType result,
      dev.cel.common.types.CelType... args) {
    return CelFunctionDecl.newFunctionDeclaration(
        name, CelOverloadDecl.newMemberOverload(overload, result, args));
  }

  static List<CelFunctionBinding> bindings() {
    return List.of(
        CelFunctionBinding.from("string_to_quantity", String.class, Quantity::parse),
        CelFunctionBinding.from(
            "is_quantity_string", String.class, KubernetesCelLibrary::isQuantity),
        CelFunctionBinding.from("quantity_sign", Quantity.class, q -> (long) q.signum()),
        CelFunctionBinding.from(
            "quantity_is_integer", Quantity.class, KubernetesCelLibrary::isInteger),
        CelFunctionBinding.from(
            "quantity_as_integer", Quantity.class, KubernetesCelLibrary::asInteger),
        CelFunctionBinding.from(
            "quantity_as_float", Quantity.class, q -> q.decimal().doubleValue()),
        CelFunctionBinding.from("quantity_add", Quantity.class, Quantity.class, Quantity::add),
        CelFunctionBinding.from(
            "quantity_add_int", Quantity.class, Long.class, (q, n) -> q.add(integer(n, q))),
        CelFunctionBinding.from("quantity_sub", Quantity.class, Quantity.class, Quantity::subtract),
        CelFunctionBinding.from(
            "quantity_sub_int", Quantity.class, Long.class, (q, n) -> q.subtract(integer(n, q))),
        CelFunctionBinding.from(
            "quantity_less", Quantity.class, Quantity.class, (a, b) -> a.compareTo(b) < 0),
        CelFunctionBinding.from(
            "quantity_greater", Quantity.class, Quantity.class, (a, b) -> a.compareTo(b) > 0),
        CelFunctionBinding.from(
            "quantity_compare", Quantity.class, Quantity.class, (a, b) -> (long) a.compareTo(b)),
        CelFunctionBinding.from("list_is_sorted", List.class, KubernetesCelLibrary::isSorted),
        CelFunctionBinding.from("list_sum", List.class, KubernetesCelLibrary::sum),
        CelFunctionBinding.from("list_min", List.class, list -> extreme(list, "min", -1)),
        CelFunctionBinding.from("list_max", List.class, list -> extreme(list, "max", 1)),
        CelFunctionBinding.from(
            "list_index_of", List.class, Object.class, (list, item) -> (long) indexOf(list, item)),
        CelFunctionBinding.from(
            "list_last_index_of",
            List.class,
            Object.class,
            (list, item) -> (long) lastIndexOf(list, item)),
        CelFunctionBinding.from(
            "string_find",
            String.class,
            String.class,
            (text, regex) -> {
              Matcher matcher = Pattern.compile(regex).matcher(text);
              return matcher.find() ? matcher.group() : "";
            }),
        CelFunctionBinding.from(
            "string_find_all",
            String.class,
            String.class,
            (text, regex) -> findAll(text, regex, -1)),
        CelFunctionBinding.from(
            "string_find_all_n",
            List.of(String.class, String.class, Long.class),
            args -> findAll((String) args[0], (String) args[1], (Long) args[2])));
  }

  private static boolean isQuantity(String text) {
    try {
      Quantity.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isInteger(Quantity quantity) {
    BigDecimal value = quantity.decimal();
    if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
      return false;
    }
    try {
      value.toBigIntegerExact().longValueExact();
      return true;
    } catch (ArithmeticException e) {
      return false;
    }
  }

  private static Long asInteger(Quantity quantity) {
    if (!isInteger(quantity)) {
      throw new IllegalArgumentException("cannot convert value to integer");
    }
    return quantity.decimal().toBigIntegerExact().longValueExact();
  }

  private static Quantity integer(long value, Quantity like) {
    return Quantity.of(value, like.format());
  }

  private static List<Object> items(List<?> list) {
    return new ArrayList<>(list);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof Comparable c && a.getClass() == b.getClass()) {
      return c.compareTo(b);
    }
    throw new IllegalArgumentException(
        "no such overload: " + typeName(a) + " compared to " + typeName(b));
  }

  private static boolean isSorted(List<?> list) {
    List<Object> items = items(list);
    for (int i = 1; i < items.size(); i++) {
      if (compare(items.get(i - 1), items.get(i)) > 0) {
        return false;
      }
    }
    return true;
  }

  private static Object sum(List<?> list) {
    long whole = 0;
    double fraction = 0;
    boolean doubles = false;
    for (Object item : list) {
      switch (item) {
        case Long n -> whole = Math.addExact(whole, n);
        case Double d -> {
          doubles = true;
          fraction += d;
        }
        default -> throw new IllegalArgumentException("no such overload: sum of " + typeName(item));
      }
    }
    return doubles ? (Object) (whole + fraction) : (Object) whole;
  }

  private static Object extreme(List<?> list, String name, int sign) {
    if (list.isEmpty()) {
      throw new IllegalArgumentException(name + " called on empty list");
    }
    Object best = list.get(0);
    for (Object item : list) {
      if (compare(item, best) * sign > 0) {
        best = item;
      }
    }
    return best;
  }

  private static int indexOf(List<?> list, Object wanted) {
    for (int i = 0; i < list.size(); i++) {
      if (same(list.get(i), wanted)) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(List<?> list, Object wanted) {
    for (int i = list.size() - 1; i >= 0; i--) {
      if (same(list.get(i), wanted)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    return Objects.equals(a, b);
  }

  private static List<String> findAll(String text, String regex, long limit) {
    List<String> found = new ArrayList<>();
    Matcher matcher = Pattern.compile(regex).matcher(text);
    while ((limit < 0 || found.size() < limit) && matcher.find()) {
      found.add(matcher.group());
    }
    return found;
  }

  private static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName();
  }
}
