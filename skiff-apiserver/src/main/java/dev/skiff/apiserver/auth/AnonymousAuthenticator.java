package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.server.Authenticator;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * The last authenticator of the chain, for requests without credentials (kube-apiserver's {@code
 * --anonymous-auth}). Enabled (the default), such a request is {@code system:anonymous} in group
 * {@code system:unauthenticated} and RBAC decides what it may do: the default policy lets it read
 * /healthz, /livez, /readyz and /version ({@code system:public-info-viewer}) and nothing else.
 * Disabled, every such request is 401 Unauthorized, except the CA bundle at {@value #CACERTS},
 * which a node reads before it has credentials.
 */
public final class AnonymousAuthenticator implements Authenticator {
  /** The transport's public CA bundle path. */
  static final String CACERTS = "/cacerts";

  private final boolean enabled;

  public AnonymousAuthenticator(boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public Optional<UserInfo> authenticate(ApiRequest request, SSLSession tls) {
    if (enabled) {
      return Optional.of(UserInfo.ANONYMOUS);
    }
    if (request.path().equals(CACERTS)) {
      return Optional.empty();
    }
    throw ApiException.unauthorized();
  }
}
