package dev.skiff.apiserver.http;

import java.util.List;
import java.util.Map;

/** The authenticated caller of a request (Kubernetes' user.Info). */
public record UserInfo(
    String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  public static final UserInfo ANONYMOUS =
      new UserInfo("system:anonymous", "", List.of("system:unauthenticated"), Map.of());

  public UserInfo {
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }

  public boolean isAnonymous() {
    return ANONYMOUS.name().equals(name);
  }
}
