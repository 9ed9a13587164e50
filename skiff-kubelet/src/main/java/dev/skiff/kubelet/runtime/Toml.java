package dev.skiff.kubelet.runtime;

import java.util.List;
import java.util.stream.Collectors;

/** The little TOML the containerd configuration files need: quoted strings and string arrays. */
final class Toml {
  private Toml() {}

  /** A TOML basic string, escaped. */
  static String string(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  static String strings(List<String> values) {
    return values.stream().map(Toml::string).collect(Collectors.joining(", ", "[", "]"));
  }
}
