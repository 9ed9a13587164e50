package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Finds who sent a request. Called on the event loop for every request, so it must not block
 * (verify from memory; cache per connection in the {@link SSLSession} where useful).
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * Returns the user, or empty when the request carries no credentials this authenticator
   * understands; throws {@link ApiException#unauthorized()} for credentials that are present but
   * invalid (Kubernetes answers those with 401 rather than treating the caller as anonymous).
   *
   * @param tls the connection's TLS session, or null on a plain-text connection
   */
  Optional<UserInfo> authenticate(ApiRequest request, SSLSession tls);

  /**
   * When {@link #authenticate} answers for a user the request impersonates, the authenticated
   * caller who asked to (the audit event's user); empty otherwise. Asked only for audited requests.
   */
  default Optional<UserInfo> impersonator(ApiRequest request, SSLSession tls) {
    return Optional.empty();
  }

  /** Tries each authenticator in order; the first that finds a user wins. */
  static Authenticator chain(List<Authenticator> authenticators) {
    List<Authenticator> copy = List.copyOf(authenticators);
    return (request, tls) -> {
      for (Authenticator authenticator : copy) {
        Optional<UserInfo> user = authenticator.authenticate(request, tls);
        if (user.isPresent()) {
          return user;
        }
      }
      return Optional.empty();
    };
  }
}
