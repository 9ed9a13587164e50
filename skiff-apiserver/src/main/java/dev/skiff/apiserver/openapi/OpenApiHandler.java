package dev.skiff.apiserver.openapi;

import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.discovery.AcceptNegotiator;
import dev.skiff.apiserver.discovery.MediaTypeChoice;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves the OpenAPI documents: {@code /openapi/v2} (Swagger 2.0), {@code /openapi/v3} (the index
 * of group versions) and {@code /openapi/v3/api/v1}, {@code /openapi/v3/apis/{group}/{version}}
 * (OpenAPI 3.0). The v2 document is served as JSON or as gnostic's protobuf message; v3 documents
 * only as JSON, so a client accepting nothing but their protobuf encoding gets 406. Documents are
 * generated when first asked for and kept until the catalog changes; each is served with an ETag,
 * and v3 documents named by their current {@code ?hash=} are immutable.
 */
public final class OpenApiHandler implements ApiHandler {
  private static final String NO_CACHE = "no-cache, private";
  private static final String IMMUTABLE = "public, immutable";

  private final Supplier<ResourceCatalog> catalog;
  private final String serverVersion;
  private final PatchTags.Lookup patchTags;
  private final Function<ResourceType, Optional<ObjectNode>> customSchemas;
  private final AcceptNegotiator negotiator =
      AcceptNegotiator.ignoringParameters(List.of(AcceptNegotiator.JSON));
  private final AcceptNegotiator v2Negotiator =
      AcceptNegotiator.ignoringParameters(
          List.of(
              AcceptNegotiator.JSON,
              SwaggerProtobuf.REQUESTED_MEDIA_TYPE,
              SwaggerProtobuf.MEDIA_TYPE));
  private volatile Snapshot snapshot;

  private record Snapshot(ResourceCatalog catalog, OpenApiDocuments documents) {}

  /**
   * @param catalog the served resources, read on every request
   * @param serverVersion the version the documents' info block names, e.g. "v1.32.0"
   */
  public OpenApiHandler(Supplier<ResourceCatalog> catalog, String serverVersion) {
    this(catalog, serverVersion, PatchTags.kubernetes(), type -> Optional.empty());
  }

  /**
   * @param patchTags the strategic-merge tags of model fields
   * @param customSchemas the OpenAPI schema of a resource without a model class (a custom
   *     resource), when one is known
   */
  public OpenApiHandler(
      Supplier<ResourceCatalog> catalog,
      String serverVersion,
      PatchTags.Lookup patchTags,
      Function<ResourceType, Optional<ObjectNode>> customSchemas) {
    this.catalog = catalog;
    this.serverVersion = serverVersion;
    this.patchTags = patchTags;
    this.customSchemas = customSchemas;
  }

  /** True for the paths this handler serves. */
  public static boolean handles(String path) {
    return path.equals("/openapi/v2")
        || path.equals("/openapi/v3")
        || path.startsWith("/openapi/v3/");
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      throw ApiException.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    String path = request.path();
    OpenApiDocuments documents = documents();
    if (path.equals("/openapi/v2")) {
      MediaTypeChoice choice = v2Negotiator.negotiate(request.header("accept"));
      if (!choice.mediaType().equals(AcceptNegotiator.JSON)) {
        return serve(request, documents.v2Protobuf(), NO_CACHE, SwaggerProtobuf.MEDIA_TYPE);
      }
      return serve(request, documents.v2(), NO_CACHE);
    }
    if (path.equals("/openapi/v3") || path.equals("/openapi/v3/")) {
      negotiate(request);
      return serve(request, documents.v3Index(), NO_CACHE);
    }
    if (path.startsWith("/openapi/v3/")) {
      String groupVersion = path.substring("/openapi/v3/".length());
      Optional<OpenApiDocuments.Document> doc = documents.v3(groupVersion);
      if (doc.isEmpty()) {
        throw notFound();
      }
      negotiate(request);
      String hash = request.param("hash");
      if (hash == null || hash.isEmpty()) {
        return serve(request, doc.get(), NO_CACHE);
      }
      if (!hash.equals(doc.get().hash())) {
        // The client holds an outdated index: send it to the current document.
        return new ApiResponse.Full(
            301,
            "text/plain",
            new byte[0],
            Map.of(
                "Location", List.of(path + "?hash=" + doc.get().hash()),
                "Cache-Control", List.of(NO_CACHE)));
      }
      return serve(request, doc.get(), IMMUTABLE);
    }
    throw notFound();
  }

  private void negotiate(ApiRequest request) {
    negotiator.negotiate(request.header("accept"));
  }

  private static ApiResponse serve(
      ApiRequest request, OpenApiDocuments.Document doc, String cacheControl) {
    return serve(request, doc, cacheControl, AcceptNegotiator.JSON);
  }

  private static ApiResponse serve(
      ApiRequest request, OpenApiDocuments.Document doc, String cacheControl, String contentType) {
    String etag = "\"" + doc.hash() + "\"";
    Map<String, List<String>> headers =
        Map.of(
            "ETag", List.of(etag),
            "Vary", List.of("Accept"),
            "Cache-Control", List.of(cacheControl));
    if (etag.equals(request.header("if-none-match"))) {
      return new ApiResponse.Full(304, contentType, new byte[0], headers);
    }
    return new ApiResponse.Full(200, contentType, doc.body(), headers);
  }

  private OpenApiDocuments documents() {
    ResourceCatalog current = catalog.get();
    Snapshot last = snapshot;
    if (last != null && last.catalog() == current) {
      return last.documents();
    }
    OpenApiDocuments documents =
        new OpenApiDocuments(
            current,
            patchTags,
            serverVersion,
            customSchemas,
            last == null ? null : last.documents());
    snapshot = new Snapshot(current, documents);
    return documents;
  }

  private static ApiException notFound() {
    return new ApiException(
        404,
        "NotFound",
        "the server could not find the requested resource",
        new ApiException.Details(null, null, null, null, null));
  }
}
