package dev.skiff.kubelet.config;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Kubernetes' {@code $(VAR)} expansion for env values, command and args: a reference to a known
 * variable is replaced by its value, an unknown one is left as written, {@code $$} is an escaped
 * {@code $}, and a {@code $} that starts no reference stays as is.
 */
public final class Expansion {
  private Expansion() {}

  public static String expand(String input, UnaryOperator<String> mapping) {
    StringBuilder out = new StringBuilder(input.length());
    int checkpoint = 0;
    for (int cursor = 0; cursor < input.length(); cursor++) {
      if (input.charAt(cursor) != '$' || cursor + 1 >= input.length()) {
        continue;
      }
      out.append(input, checkpoint, cursor);
      char next = input.charAt(cursor + 1);
      int advance = 1;
      if (next == '$') {
        out.append('$');
      } else if (next == '(') {
        int close = input.indexOf(')', cursor + 2);
        if (close >= 0) {
          out.append(mapping.apply(input.substring(cursor + 2, close)));
          advance = close - cursor;
        } else {
          out.append("$(");
        }
      } else {
        out.append('$').append(next);
      }
      cursor += advance;
      checkpoint = cursor + 1;
    }
    return out.append(input, Math.min(checkpoint, input.length()), input.length()).toString();
  }

  /**
   * A mapping that looks a name up in each context in turn and leaves {@code $(name)} in place when
   * none has it.
   */
  @SafeVarargs
  public static UnaryOperator<String> mappingFor(Map<String, String>... contexts) {
    return name -> {
      for (Map<String, String> context : contexts) {
        String value = context.get(name);
        if (value != null) {
          return value;
        }
      }
      return "$(" + name + ")";
    };
  }
}
