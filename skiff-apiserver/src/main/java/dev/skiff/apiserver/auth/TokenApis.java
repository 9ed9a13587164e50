package dev.skiff.apiserver.auth;

import com.nimbusds.jose.jwk.JWKSet;
import dev.skiff.api.Json;
import dev.skiff.api.protobuf.KubernetesProtobuf;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.rest.RequestInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The token APIs in front of the registry: TokenRequest ({@code serviceaccounts/NAME/token}, what
 * {@code kubectl create token} calls), TokenReview, and the service-account issuer discovery
 * documents {@code /.well-known/openid-configuration} and {@code /openid/v1/jwks}.
 */
public final class TokenApis implements ApiHandler {
  static final String OPENID_CONFIGURATION = "/.well-known/openid-configuration";
  static final String JWKS = "/openid/v1/jwks";
  static final long DEFAULT_EXPIRATION_SECONDS = 3600;
  static final long MIN_EXPIRATION_SECONDS = 600;

  private static final KubernetesProtobuf PROTOBUF = KubernetesProtobuf.builtIn();

  private final ApiHandler delegate;
  private final ServiceAccountTokens tokens;
  private final ServiceAccountKey key;
  private final BearerTokenAuthenticator bearer;
  private final Loopback api;
  private final Supplier<String> externalUrl;
  private final InstantSource clock;

  public TokenApis(
      ApiHandler delegate,
      ServiceAccountTokens tokens,
      ServiceAccountKey key,
      BearerTokenAuthenticator bearer,
      Loopback api,
      Supplier<String> externalUrl,
      InstantSource clock) {
    this.delegate = delegate;
    this.tokens = tokens;
    this.key = key;
    this.bearer = bearer;
    this.api = api;
    this.externalUrl = externalUrl;
    this.clock = clock;
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    String path = request.path();
    if (path.equals(OPENID_CONFIGURATION) || path.equals(JWKS)) {
      if (!request.method().equals("GET")) {
        throw ApiException.methodNotAllowed("only GET is allowed");
      }
      return path.equals(JWKS) ? jwks() : openIdConfiguration();
    }
    Optional<RequestInfo> parsed = RequestInfo.parse(request);
    if (parsed.isPresent()) {
      RequestInfo info = parsed.get();
      if (info.group().isEmpty()
          && info.resource().equals("serviceaccounts")
          && info.subresource().equals("token")) {
        if (!info.verb().equals("create")) {
          throw ApiException.methodNotAllowed(
              "the server does not allow this method on the requested resource");
        }
        return tokenRequest(request, info);
      }
      if (info.group().equals("authentication.k8s.io")
          && info.version().equals("v1")
          && info.resource().equals("tokenreviews")) {
        return tokenReview(request);
      }
    }
    return delegate.handle(request);
  }

  private ApiResponse openIdConfiguration() {
    ObjectNode document = Json.object();
    document.put("issuer", tokens.issuer());
    document.put("jwks_uri", externalUrl.get() + JWKS);
    document.putArray("response_types_supported").add("id_token");
    document.putArray("subject_types_supported").add("public");
    document.putArray("id_token_signing_alg_values_supported").add("RS256");
    return new ApiResponse.Full(200, "application/json", Json.bytes(document));
  }

  private ApiResponse jwks() {
    String json = new JWKSet(key.publicJwk()).toString(true);
    return new ApiResponse.Full(
        200, "application/jwk-set+json", json.getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode body(ApiRequest request) {
    if (KubernetesProtobuf.hasMagic(request.body())) {
      try {
        return PROTOBUF.decode(request.body());
      } catch (RuntimeException e) {
        throw ApiException.badRequest("the body of the request was in an unknown format");
      }
    }
    try {
      return Json.parseObject(request.body());
    } catch (JacksonException | IllegalArgumentException e) {
      throw ApiException.badRequest("the body of the request was in an unknown format");
    }
  }

  private ApiResponse tokenRequest(ApiRequest request, RequestInfo info) {
    ObjectNode body = body(request);
    String namespace = info.namespace();
    String name = info.name();
    ObjectNode account =
        api.get("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + name)
            .orElseThrow(() -> ApiException.notFound("", "serviceaccounts", name));
    ObjectNode spec = body.get("spec") instanceof ObjectNode s ? s : body.putObject("spec");
    long expiration = spec.path("expirationSeconds").asLong(0);
    if (expiration == 0) {
      expiration = DEFAULT_EXPIRATION_SECONDS;
    }
    if (expiration < MIN_EXPIRATION_SECONDS) {
      throw ApiException.invalid(
          "authentication.k8s.io",
          "TokenRequest",
          name,
          List.of(
              new ApiException.Cause(
                  "FieldValueInvalid",
                  "Invalid value: "
                      + expiration
                      + ": may not specify a duration less than 10 minutes",
                  "spec.expirationSeconds")));
    }
    List<String> audiences = new ArrayList<>();
    for (JsonNode audience : spec.path("audiences")) {
      audiences.add(audience.asString());
    }
    audiences = tokens.audiencesOrDefault(audiences);
    String boundKind = "";
    String boundName = "";
    String boundUid = "";
    JsonNode ref = spec.path("boundObjectRef");
    if (ref.isObject()) {
      boundKind = ref.path("kind").asString("");
      boundName = ref.path("name").asString("");
      String resource =
          switch (boundKind) {
            case "Pod" -> "pods";
            case "Secret" -> "secrets";
            default ->
                throw ApiException.invalid(
                    "authentication.k8s.io",
                    "TokenRequest",
                    name,
                    List.of(
                        new ApiException.Cause(
                            "FieldValueNotSupported",
                            "Unsupported value: \""
                                + boundKind
                                + "\": supported values: \"Pod\", \"Secret\"",
                            "spec.boundObjectRef.kind")));
          };
      String bound = boundName;
      ObjectNode object =
          api.get("/api/v1/namespaces/" + namespace + "/" + resource + "/" + boundName)
              .orElseThrow(() -> ApiException.notFound("", resource, bound));
      boundUid = object.path("metadata").path("uid").asString("");
      String wantedUid = ref.path("uid").asString("");
      if (!wantedUid.isEmpty() && !wantedUid.equals(boundUid)) {
        throw ApiException.conflict(
            "",
            resource,
            boundName,
            "the UID in the bound object reference ("
                + wantedUid
                + ") does not match the UID in record. The object might have been deleted and"
                + " then recreated");
      }
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant expires = now.plusSeconds(expiration);
    String token =
        tokens.issue(
            namespace,
            name,
            account.path("metadata").path("uid").asString(""),
            audiences,
            expires,
            boundKind,
            boundName,
            boundUid);
    ObjectNode response = Json.object();
    response.put("kind", "TokenRequest");
    response.put("apiVersion", "authentication.k8s.io/v1");
    ObjectNode metadata = response.putObject("metadata");
    metadata.put("name", name);
    metadata.put("namespace", namespace);
    metadata.put("creationTimestamp", now.toString());
    ObjectNode outSpec = response.putObject("spec");
    ArrayNode audienceArray = outSpec.putArray("audiences");
    audiences.forEach(audienceArray::add);
    outSpec.put("expirationSeconds", expiration);
    if (ref.isObject()) {
      ObjectNode outRef = outSpec.putObject("boundObjectRef");
      outRef.put("kind", boundKind);
      outRef.put("apiVersion", "v1");
      outRef.put("name", boundName);
      outRef.put("uid", boundUid);
    } else {
      outSpec.putNull("boundObjectRef");
    }
    ObjectNode status = response.putObject("status");
    status.put("token", token);
    status.put("expirationTimestamp", expires.toString());
    return new ApiResponse.Full(201, "application/json", Json.bytes(response));
  }

  private ApiResponse tokenReview(ApiRequest request) {
    ObjectNode review = body(request);
    review.put("kind", "TokenReview");
    review.put("apiVersion", "authentication.k8s.io/v1");
    ObjectNode metadata =
        review.get("metadata") instanceof ObjectNode m ? m : review.putObject("metadata");
    metadata.putNull("creationTimestamp");
    String token = review.path("spec").path("token").asString("");
    ObjectNode status = review.putObject("status");
    Optional<UserInfo> user = bearer.userForToken(token);
    status.put("authenticated", user.isPresent());
    user.ifPresent(
        u -> {
          ObjectNode info = status.putObject("user");
          info.put("username", u.name());
          if (!u.uid().isEmpty()) {
            info.put("uid", u.uid());
          }
          ArrayNode groups = info.putArray("groups");
          u.groups().forEach(groups::add);
          if (!u.extra().isEmpty()) {
            ObjectNode extra = info.putObject("extra");
            u.extra().forEach((k, v) -> v.forEach(extra.withArray(k)::add));
          }
          ArrayNode audiences = status.putArray("audiences");
          tokens.apiAudiences().forEach(audiences::add);
        });
    return new ApiResponse.Full(201, "application/json", Json.bytes(review));
  }
}
