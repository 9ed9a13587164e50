package dev.skiff.apiserver.discovery;

import dev.skiff.api.Json;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves API discovery: {@code /api}, {@code /apis}, {@code /api/v1}, {@code /apis/{group}} and
 * {@code /apis/{group}/{version}}. {@code /api} and {@code /apis} answer with an aggregated
 * APIGroupDiscoveryList (apidiscovery.k8s.io v2 or v2beta1) when the Accept header asks for one,
 * with an ETag and {@code Vary: Accept}. The served resources are read from a supplier on every
 * request, so resources added later (CRDs) appear at once; documents are rebuilt only when that
 * list changes.
 */
public final class DiscoveryHandler implements ApiHandler {
  private static final List<String> DISCOVERY_VERSIONS = List.of("v2", "v2beta1");

  private final Supplier<ResourceCatalog> catalog;
  private final Supplier<String> serverAddress;
  private final AcceptNegotiator aggregatedNegotiator =
      new AcceptNegotiator(
          List.of(AcceptNegotiator.JSON, AcceptNegotiator.YAML),
          choice ->
              choice.mediaType().equals(AcceptNegotiator.JSON)
                  && DiscoveryDocuments.DISCOVERY_GROUP.equals(choice.group())
                  && DISCOVERY_VERSIONS.contains(choice.version())
                  && "APIGroupDiscoveryList".equals(choice.as()));
  private final AcceptNegotiator plainNegotiator = AcceptNegotiator.plain();

  private volatile Snapshot snapshot;

  private record Snapshot(ResourceCatalog catalog, DiscoveryDocuments documents) {}

  /**
   * @param catalog the resources served now, read on every request
   * @param serverAddress the host:port clients use to reach this server, for {@code /api}
   */
  public DiscoveryHandler(Supplier<ResourceCatalog> catalog, Supplier<String> serverAddress) {
    this.catalog = catalog;
    this.serverAddress = serverAddress;
  }

  /** True for the paths this handler serves. */
  public static boolean handles(String path) {
    String[] parts = trim(path).split("/");
    return switch (parts[0]) {
      case "api" -> parts.length <= 2;
      case "apis" -> parts.length <= 3;
      default -> false;
    };
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      throw ApiException.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    String[] parts = trim(request.path()).split("/");
    DiscoveryDocuments documents = documents();
    String accept = request.header("accept");
    if (parts[0].equals("api")) {
      if (parts.length == 1) {
        return aggregatedOr(
            request, accept, documents, true, () -> documents.apiVersions(serverAddress.get()));
      }
      if (parts.length == 2 && documents.hasGroupVersion("", parts[1])) {
        return plain(accept, documents.apiResourceList("", parts[1]));
      }
    } else if (parts[0].equals("apis")) {
      if (parts.length == 1) {
        return aggregatedOr(request, accept, documents, false, documents::apiGroupList);
      }
      if (parts.length == 2 && documents.hasGroup(parts[1])) {
        return plain(accept, documents.apiGroup(parts[1]));
      }
      if (parts.length == 3
          && documents.hasGroup(parts[1])
          && documents.hasGroupVersion(parts[1], parts[2])) {
        return plain(accept, documents.apiResourceList(parts[1], parts[2]));
      }
    }
    throw notFound();
  }

  private ApiResponse aggregatedOr(
      ApiRequest request,
      String accept,
      DiscoveryDocuments documents,
      boolean core,
      Supplier<ObjectNode> legacy) {
    MediaTypeChoice choice =
        aggregatedNegotiator
            .tryNegotiate(accept)
            .orElseGet(() -> plainNegotiator.negotiate(accept));
    if (!choice.converted()) {
      return write(choice, legacy.get(), Map.of());
    }
    byte[] body = Json.bytes(documents.aggregated(core, choice.version()));
    String etag = "\"" + HexFormat.of().formatHex(DiscoveryDocuments.sha256(body)) + "\"";
    Map<String, List<String>> headers = Map.of("Vary", List.of("Accept"), "ETag", List.of(etag));
    if (etag.equals(request.header("if-none-match"))) {
      return new ApiResponse.Full(304, choice.contentType(), new byte[0], headers);
    }
    return new ApiResponse.Full(200, choice.contentType(), body, headers);
  }

  private ApiResponse plain(String accept, ObjectNode document) {
    return write(plainNegotiator.negotiate(accept), document, Map.of());
  }

  private static ApiResponse write(
      MediaTypeChoice choice, ObjectNode document, Map<String, List<String>> headers) {
    byte[] body =
        choice.mediaType().equals(AcceptNegotiator.YAML)
            ? Json.YAML.writeValueAsBytes(document)
            : Json.bytes(document);
    return new ApiResponse.Full(200, choice.contentType(), body, headers);
  }

  private DiscoveryDocuments documents() {
    ResourceCatalog current = catalog.get();
    Snapshot last = snapshot;
    if (last != null && last.catalog() == current) {
      return last.documents();
    }
    DiscoveryDocuments documents = new DiscoveryDocuments(current);
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

  private static String trim(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }
}
