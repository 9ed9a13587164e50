package dev.skiff.apiserver.http;

import java.util.List;
import java.util.Map;

/**
 * One decoded, authenticated HTTP request, as the transport hands it to an {@link ApiHandler}.
 *
 * @param method upper-case HTTP method
 * @param path the decoded path without the query, e.g. /api/v1/namespaces/default/pods
 * @param query decoded query parameters, each name to its values in order
 * @param headers request headers with lower-case names, each to its values in order
 * @param body the aggregated body (empty, never null)
 * @param websocket true when the client asked for a WebSocket upgrade (watch over WebSocket):
 *     stream responses are then sent as one WebSocket message per chunk
 */
public record ApiRequest(
    String method,
    String path,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    byte[] body,
    UserInfo user,
    boolean websocket) {

  public ApiRequest {
    query = Map.copyOf(query);
    headers = Map.copyOf(headers);
  }

  /** The first value of a query parameter, or null. */
  public String param(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The first value of a header (name in any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
