package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.http.UserInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Static bearer tokens from {@code --token-auth-file}, Kubernetes' CSV format: {@code
 * token,user,uid[,"group1,group2"]}, one per line; blank lines and lines starting with '#' are
 * skipped. Read once at start.
 */
public final class TokenFile {
  private final Map<String, UserInfo> users;

  private TokenFile(Map<String, UserInfo> users) {
    this.users = users;
  }

  public static TokenFile load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read token file " + file + ": " + e.getMessage(), e);
    }
  }

  static TokenFile parse(String text, String source) {
    Map<String, UserInfo> users = new HashMap<>();
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> fields = csv(line);
      if (fields.size() < 3 || fields.get(0).isEmpty() || fields.get(1).isEmpty()) {
        throw new IllegalArgumentException(
            source + ":" + (i + 1) + ": expected token,user,uid[,\"groups\"]");
      }
      List<String> groups = new ArrayList<>();
      if (fields.size() > 3) {
        for (String group : fields.get(3).split(",")) {
          if (!group.strip().isEmpty()) {
            groups.add(group.strip());
          }
        }
      }
      if (!groups.contains("system:authenticated")) {
        groups.add("system:authenticated");
      }
      users.put(fields.get(0), new UserInfo(fields.get(1), fields.get(2), groups, Map.of()));
    }
    return new TokenFile(Map.copyOf(users));
  }

  private static List<String> csv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }

  /** The user of a token, compared in constant time per entry. */
  public Optional<UserInfo> user(String token) {
    byte[] presented = token.getBytes(StandardCharsets.UTF_8);
    UserInfo found = null;
    for (Map.Entry<String, UserInfo> entry : users.entrySet()) {
      if (MessageDigest.isEqual(entry.getKey().getBytes(StandardCharsets.UTF_8), presented)) {
        found = entry.getValue();
      }
    }
    return Optional.ofNullable(found);
  }
}
