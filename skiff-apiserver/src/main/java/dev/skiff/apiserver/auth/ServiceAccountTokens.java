package dev.skiff.apiserver.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.skiff.apiserver.http.UserInfo;
import java.text.ParseException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Issues and verifies service-account JWTs as Kubernetes does. Bound tokens (TokenRequest) carry
 * {@code iss}, {@code sub=system:serviceaccount:NS:NAME}, {@code aud}, {@code exp}, {@code iat},
 * {@code nbf}, {@code jti} and a {@code kubernetes.io} claim naming the namespace, the service
 * account and any bound pod or secret; legacy tokens (from kubernetes.io/service-account-token
 * secrets) have issuer {@code kubernetes/serviceaccount} and the flat {@code
 * kubernetes.io/serviceaccount/*} claims and never expire. Verification checks the signature,
 * issuer, time window and audience; {@link ServiceAccountAuthenticator} then checks that the
 * referenced objects still exist.
 */
public final class ServiceAccountTokens {
  public static final String DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
  public static final String LEGACY_ISSUER = "kubernetes/serviceaccount";
  static final String PREFIX = "system:serviceaccount:";
  private static final long CLOCK_SKEW_SECONDS = 60;

  private final ServiceAccountKey key;
  private final String issuer;
  private final List<String> apiAudiences;
  private final InstantSource clock;

  /** What a verified token claims. {@code boundKind} is "Pod", "Secret" or "" when unbound. */
  public record Claims(
      String namespace,
      String serviceAccount,
      String serviceAccountUid,
      String boundKind,
      String boundName,
      String boundUid,
      boolean legacy,
      String legacySecret) {

    public UserInfo user() {
      Map<String, List<String>> extra = new LinkedHashMap<>();
      if (boundKind.equals("Pod")) {
        extra.put("authentication.kubernetes.io/pod-name", List.of(boundName));
        extra.put("authentication.kubernetes.io/pod-uid", List.of(boundUid));
      }
      return new UserInfo(
          PREFIX + namespace + ":" + serviceAccount,
          serviceAccountUid,
          List.of(
              "system:serviceaccounts",
              "system:serviceaccounts:" + namespace,
              "system:authenticated"),
          extra);
    }
  }

  public ServiceAccountTokens(
      ServiceAccountKey key, String issuer, List<String> apiAudiences, InstantSource clock) {
    this.key = key;
    this.issuer = issuer;
    this.apiAudiences = List.copyOf(apiAudiences);
    this.clock = clock;
  }

  public String issuer() {
    return issuer;
  }

  public List<String> apiAudiences() {
    return apiAudiences;
  }

  /** A bound token (TokenRequest). {@code boundKind} is "", "Pod" or "Secret". */
  public String issue(
      String namespace,
      String serviceAccount,
      String serviceAccountUid,
      List<String> audiences,
      Instant expires,
      String boundKind,
      String boundName,
      String boundUid) {
    Instant now = clock.instant();
    Map<String, Object> kubernetes = new LinkedHashMap<>();
    kubernetes.put("namespace", namespace);
    if (!boundKind.isEmpty()) {
      kubernetes.put(
          boundKind.toLowerCase(java.util.Locale.ROOT), Map.of("name", boundName, "uid", boundUid));
    }
    kubernetes.put("serviceaccount", Map.of("name", serviceAccount, "uid", serviceAccountUid));
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject(PREFIX + namespace + ":" + serviceAccount)
            .audience(audiences)
            .expirationTime(Date.from(expires))
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .jwtID(UUID.randomUUID().toString())
            .claim("kubernetes.io", kubernetes)
            .build();
    return sign(claims);
  }

  /** A legacy, non-expiring token for a kubernetes.io/service-account-token secret. */
  public String issueLegacy(
      String namespace, String serviceAccount, String serviceAccountUid, String secretName) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(LEGACY_ISSUER)
            .subject(PREFIX + namespace + ":" + serviceAccount)
            .claim("kubernetes.io/serviceaccount/namespace", namespace)
            .claim("kubernetes.io/serviceaccount/secret.name", secretName)
            .claim("kubernetes.io/serviceaccount/service-account.name", serviceAccount)
            .claim("kubernetes.io/serviceaccount/service-account.uid", serviceAccountUid)
            .build();
    return sign(claims);
  }

  private String sign(JWTClaimsSet claims) {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.jwk().getKeyID()).build(), claims);
    try {
      jwt.sign(new RSASSASigner(key.jwk()));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a service account token", e);
    }
    return jwt.serialize();
  }

  /**
   * The claims of a token this server signed and that is valid now for the API audiences; empty for
   * anything else (not a JWT, another issuer, bad signature, expired, wrong audience).
   */
  public Optional<Claims> verify(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())
          || (jwt.getHeader().getType() != null
              && !JOSEObjectType.JWT.equals(jwt.getHeader().getType()))) {
        return Optional.empty();
      }
      if (!jwt.verify(new RSASSAVerifier(key.jwk().toRSAPublicKey()))) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (LEGACY_ISSUER.equals(claims.getIssuer())) {
        return legacy(claims);
      }
      if (!issuer.equals(claims.getIssuer())) {
        return Optional.empty();
      }
      long now = clock.instant().getEpochSecond();
      Date expires = claims.getExpirationTime();
      Date notBefore = claims.getNotBeforeTime();
      if (expires == null || expires.toInstant().getEpochSecond() + CLOCK_SKEW_SECONDS < now) {
        return Optional.empty();
      }
      if (notBefore != null && notBefore.toInstant().getEpochSecond() - CLOCK_SKEW_SECONDS > now) {
        return Optional.empty();
      }
      List<String> audiences = claims.getAudience() == null ? List.of() : claims.getAudience();
      if (audiences.stream().noneMatch(apiAudiences::contains)) {
        return Optional.empty();
      }
      Map<String, Object> kubernetes = claims.getJSONObjectClaim("kubernetes.io");
      if (kubernetes == null) {
        return Optional.empty();
      }
      String namespace = String.valueOf(kubernetes.get("namespace"));
      Map<?, ?> account = (Map<?, ?>) kubernetes.get("serviceaccount");
      if (account == null) {
        return Optional.empty();
      }
      String boundKind = "";
      Map<?, ?> bound = null;
      if (kubernetes.get("pod") instanceof Map<?, ?> pod) {
        boundKind = "Pod";
        bound = pod;
      } else if (kubernetes.get("secret") instanceof Map<?, ?> secret) {
        boundKind = "Secret";
        bound = secret;
      }
      String name = String.valueOf(account.get("name"));
      if (!claims.getSubject().equals(PREFIX + namespace + ":" + name)) {
        return Optional.empty();
      }
      return Optional.of(
          new Claims(
              namespace,
              name,
              String.valueOf(account.get("uid")),
              boundKind,
              bound == null ? "" : String.valueOf(bound.get("name")),
              bound == null ? "" : String.valueOf(bound.get("uid")),
              false,
              ""));
    } catch (ParseException | JOSEException | ClassCastException | NullPointerException e) {
      return Optional.empty();
    }
  }

  private static Optional<Claims> legacy(JWTClaimsSet claims) throws ParseException {
    String namespace = claims.getStringClaim("kubernetes.io/serviceaccount/namespace");
    String name = claims.getStringClaim("kubernetes.io/serviceaccount/service-account.name");
    String uid = claims.getStringClaim("kubernetes.io/serviceaccount/service-account.uid");
    String secret = claims.getStringClaim("kubernetes.io/serviceaccount/secret.name");
    if (namespace == null || name == null || uid == null || secret == null) {
      return Optional.empty();
    }
    if (!(PREFIX + namespace + ":" + name).equals(claims.getSubject())) {
      return Optional.empty();
    }
    return Optional.of(new Claims(namespace, name, uid, "", "", "", true, secret));
  }

  /** Audiences as a list, for callers that received none: the API audiences. */
  public List<String> audiencesOrDefault(List<String> requested) {
    return requested.isEmpty() ? apiAudiences : new ArrayList<>(requested);
  }
}
