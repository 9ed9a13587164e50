package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.authz.StoreMirror;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.server.Authenticator;
import dev.skiff.storage.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code Authorization: Bearer <token>}: static tokens from the token file, bootstrap tokens (node
 * join, kept as kube-system Secrets of type {@code bootstrap.kubernetes.io/token}), then
 * service-account JWTs. A service-account token is accepted only while its service account (same
 * uid), and the pod or secret it is bound to, still exist. A bearer token nobody recognizes is 401
 * with the bare "Unauthorized" message, whatever was wrong with it.
 */
public final class BearerTokenAuthenticator implements Authenticator, AutoCloseable {
  private final TokenFile tokenFile;
  private final ServiceAccountTokens serviceAccounts;
  private final StoreMirror<String> accountUids;
  private final StoreMirror<String> podUids;
  private final StoreMirror<SecretToken> secrets;
  private final StoreMirror<BootstrapSecret> bootstrapSecrets;

  /** A bootstrap token Secret, as Kubernetes' bootstrap authenticator reads it. */
  record BootstrapSecret(
      boolean bootstrap,
      String tokenId,
      String tokenSecret,
      boolean usableForAuthentication,
      String expiration,
      List<String> extraGroups) {
    static BootstrapSecret of(ObjectNode secret) {
      JsonNode data = secret.path("data");
      String groups = decode(data.path("auth-extra-groups").asString(""));
      return new BootstrapSecret(
          BootstrapToken.SECRET_TYPE.equals(secret.path("type").asString("")),
          decode(data.path("token-id").asString("")),
          decode(data.path("token-secret").asString("")),
          "true".equals(decode(data.path("usage-bootstrap-authentication").asString(""))),
          decode(data.path("expiration").asString("")),
          groups.isEmpty() ? List.of() : List.of(groups.split(",")));
    }

    private static String decode(String base64) {
      try {
        return new String(
            java.util.Base64.getDecoder().decode(base64), java.nio.charset.StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "";
      }
    }

    /** The user the token authenticates as, when it matches and has not expired. */
    Optional<UserInfo> user(BootstrapToken token, Instant now) {
      if (!bootstrap
          || !usableForAuthentication
          || !tokenId.equals(token.id())
          || !java.security.MessageDigest.isEqual(
              tokenSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              token.secret().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        return Optional.empty();
      }
      if (!expiration.isEmpty()) {
        try {
          if (!Instant.parse(expiration).isAfter(now)) {
            return Optional.empty();
          }
        } catch (java.time.format.DateTimeParseException e) {
          return Optional.empty();
        }
      }
      List<String> groups = new java.util.ArrayList<>();
      groups.add(BootstrapToken.GROUP);
      for (String extra : extraGroups) {
        if (extra.startsWith(BootstrapToken.GROUP + ":") && !groups.contains(extra)) {
          groups.add(extra);
        }
      }
      groups.add("system:authenticated");
      return Optional.of(new UserInfo(token.user(), "", groups, java.util.Map.of()));
    }
  }

  /** The parts of a secret that token validation needs. */
  record SecretToken(String uid, String token) {
    static SecretToken of(ObjectNode secret) {
      String data = secret.path("data").path("token").asString("");
      String token = "";
      if (!data.isEmpty()) {
        try {
          token =
              new String(
                  java.util.Base64.getDecoder().decode(data),
                  java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          token = "";
        }
      }
      return new SecretToken(secret.path("metadata").path("uid").asString(""), token);
    }
  }

  public BearerTokenAuthenticator(
      TokenFile tokenFile, ServiceAccountTokens serviceAccounts, Store store) {
    this.tokenFile = tokenFile;
    this.serviceAccounts = serviceAccounts;
    this.accountUids =
        new StoreMirror<>(
            store, "/registry/core/serviceaccounts/", BearerTokenAuthenticator::uid, () -> {});
    this.podUids =
        new StoreMirror<>(store, "/registry/core/pods/", BearerTokenAuthenticator::uid, () -> {});
    this.secrets = new StoreMirror<>(store, "/registry/core/secrets/", SecretToken::of, () -> {});
    this.bootstrapSecrets =
        new StoreMirror<>(
            store,
            "/registry/core/secrets/" + BootstrapToken.NAMESPACE + "/",
            BootstrapSecret::of,
            () -> {});
  }

  private static String uid(ObjectNode object) {
    return object.path("metadata").path("uid").asString("");
  }

  public BearerTokenAuthenticator start() {
    accountUids.start();
    podUids.start();
    secrets.start();
    bootstrapSecrets.start();
    return this;
  }

  /** Waits until the views of service accounts, pods and secrets hold what the store holds now. */
  public boolean awaitCurrent(Duration timeout) {
    return accountUids.awaitInSync(timeout)
        && podUids.awaitInSync(timeout)
        && secrets.awaitInSync(timeout)
        && bootstrapSecrets.awaitInSync(timeout);
  }

  @Override
  public Optional<UserInfo> authenticate(ApiRequest request, SSLSession tls) {
    String header = request.header("authorization");
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = header.substring(7).strip();
    Optional<UserInfo> user = userForToken(token);
    if (user.isEmpty()) {
      throw ApiException.unauthorized();
    }
    return user;
  }

  /** The user a bearer token stands for, if it is valid now (also for TokenReview). */
  public Optional<UserInfo> userForToken(String token) {
    if (token.isEmpty()) {
      return Optional.empty();
    }
    if (tokenFile != null) {
      Optional<UserInfo> user = tokenFile.user(token);
      if (user.isPresent()) {
        return user;
      }
    }
    Optional<BootstrapToken> bootstrap = BootstrapToken.parseBearer(token);
    if (bootstrap.isPresent()) {
      BootstrapSecret secret =
          bootstrapSecrets.get(
              "/registry/core/secrets/"
                  + BootstrapToken.NAMESPACE
                  + "/"
                  + BootstrapToken.SECRET_PREFIX
                  + bootstrap.get().id());
      return secret == null ? Optional.empty() : secret.user(bootstrap.get(), Instant.now());
    }
    return serviceAccounts
        .verify(token)
        .filter(claims -> stillValid(claims, token))
        .map(ServiceAccountTokens.Claims::user);
  }

  private boolean stillValid(ServiceAccountTokens.Claims claims, String token) {
    String accountKey =
        "/registry/core/serviceaccounts/" + claims.namespace() + "/" + claims.serviceAccount();
    String uid = accountUids.get(accountKey);
    if (uid == null || !uid.equals(claims.serviceAccountUid())) {
      return false;
    }
    if (claims.legacy()) {
      SecretToken secret =
          secrets.get("/registry/core/secrets/" + claims.namespace() + "/" + claims.legacySecret());
      return secret != null && secret.token().equals(token);
    }
    return switch (claims.boundKind()) {
      case "Pod" ->
          claims
              .boundUid()
              .equals(
                  podUids.get(
                      "/registry/core/pods/" + claims.namespace() + "/" + claims.boundName()));
      case "Secret" -> {
        SecretToken secret =
            secrets.get("/registry/core/secrets/" + claims.namespace() + "/" + claims.boundName());
        yield secret != null && secret.uid().equals(claims.boundUid());
      }
      default -> true;
    };
  }

  @Override
  public void close() {
    accountUids.close();
    podUids.close();
    secrets.close();
    bootstrapSecrets.close();
  }
}
