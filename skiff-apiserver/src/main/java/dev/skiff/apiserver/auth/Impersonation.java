package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.authz.Attributes;
import dev.skiff.apiserver.authz.ClusterAuthorizer;
import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.server.Authenticator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Kubernetes' impersonation ({@code kubectl --as/--as-group/--as-uid}): after the real caller is
 * authenticated, the {@code Impersonate-User}, {@code Impersonate-Group}, {@code Impersonate-Uid}
 * and {@code Impersonate-Extra-<key>} headers replace the user, each one allowed only when the
 * caller may {@code impersonate} it (users, groups, serviceaccounts, uids, userextras/KEY).
 */
public final class Impersonation implements Authenticator {
  static final String USER = "impersonate-user";
  static final String GROUP = "impersonate-group";
  static final String UID = "impersonate-uid";
  static final String EXTRA = "impersonate-extra-";
  static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  private final Authenticator delegate;
  private final ClusterAuthorizer authorizer;

  public Impersonation(Authenticator delegate, ClusterAuthorizer authorizer) {
    this.delegate = delegate;
    this.authorizer = authorizer;
  }

  @Override
  public Optional<UserInfo> authenticate(ApiRequest request, SSLSession tls) {
    Optional<UserInfo> actual = delegate.authenticate(request, tls);
    String user = request.header(USER);
    List<String> groups = request.headers().getOrDefault(GROUP, List.of());
    String uid = request.header(UID);
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      if (header.getKey().startsWith(EXTRA)) {
        extra.put(
            unescape(header.getKey().substring(EXTRA.length())).toLowerCase(Locale.ROOT),
            header.getValue());
      }
    }
    if (user == null && groups.isEmpty() && uid == null && extra.isEmpty()) {
      return actual;
    }
    if (user == null || user.isEmpty()) {
      throw ApiException.badRequest(
          "requested impersonation of groups, uid or extra without impersonating a user");
    }
    UserInfo caller = actual.orElse(UserInfo.ANONYMOUS);
    List<String> impersonatedGroups = new ArrayList<>(groups);
    if (user.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      String[] parts = user.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
      if (parts.length != 2) {
        throw ApiException.badRequest("invalid service account username \"" + user + "\"");
      }
      check(caller, "", "serviceaccounts", parts[0], parts[1]);
      if (groups.isEmpty()) {
        impersonatedGroups.add("system:serviceaccounts");
        impersonatedGroups.add("system:serviceaccounts:" + parts[0]);
      }
    } else {
      check(caller, "", "users", "", user);
    }
    for (String group : groups) {
      check(caller, "", "groups", "", group);
    }
    if (uid != null) {
      check(caller, "authentication.k8s.io", "uids", "", uid);
    }
    for (Map.Entry<String, List<String>> entry : extra.entrySet()) {
      for (String value : entry.getValue()) {
        checkExtra(caller, entry.getKey(), value);
      }
    }
    if (!user.equals(UserInfo.ANONYMOUS.name())
        && !impersonatedGroups.contains("system:authenticated")) {
      impersonatedGroups.add("system:authenticated");
    } else if (user.equals(UserInfo.ANONYMOUS.name())
        && !impersonatedGroups.contains("system:unauthenticated")) {
      impersonatedGroups.add("system:unauthenticated");
    }
    return Optional.of(new UserInfo(user, uid == null ? "" : uid, impersonatedGroups, extra));
  }

  private void check(
      UserInfo caller, String group, String resource, String namespace, String name) {
    Attributes attributes =
        Attributes.resource(caller, "impersonate", group, resource, "", namespace, name);
    var decision = authorizer.decide(attributes);
    if (!decision.allowed()) {
      throw Forbidden.error(attributes, decision.reason());
    }
  }

  private void checkExtra(UserInfo caller, String key, String value) {
    Attributes attributes =
        Attributes.resource(
            caller, "impersonate", "authentication.k8s.io", "userextras", key, "", value);
    var decision = authorizer.decide(attributes);
    if (!decision.allowed()) {
      throw Forbidden.error(attributes, decision.reason());
    }
  }

  @Override
  public Optional<UserInfo> impersonator(ApiRequest request, SSLSession tls) {
    String user = request.header(USER);
    if (user == null || user.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(delegate.authenticate(request, tls).orElse(UserInfo.ANONYMOUS));
  }

  /** Header names carry extra keys percent-encoded. */
  private static String unescape(String key) {
    return java.net.URLDecoder.decode(key, java.nio.charset.StandardCharsets.UTF_8);
  }
}
