package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.storage.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.node.ObjectNode;

/** A ResourceHandler on a MemoryStore with a fixed clock and seeded randomness. */
final class HandlerFixture implements AutoCloseable {
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  final MemoryStore store = new MemoryStore();
  final ResourceHandler handler;

  HandlerFixture() {
    this(RegistryOptions.defaults());
  }

  HandlerFixture(RegistryOptions base) {
    RegistryOptions options =
        new RegistryOptions(
            base.serviceCidr(),
            InstantSource.fixed(NOW),
            new Random(42),
            base.watchCacheCapacity(),
            base.bookmarkInterval(),
            base.maxUnwritable(),
            base.minWatchTimeout(),
            Duration.ofSeconds(2));
    handler = new ResourceHandler(store, ResourceCatalog.builtIn(), options);
    handler.bootstrap();
  }

  static ApiRequest request(String method, String pathAndQuery, String body, String... headers) {
    String path = pathAndQuery;
    Map<String, List<String>> query = new HashMap<>();
    int q = pathAndQuery.indexOf('?');
    if (q >= 0) {
      path = pathAndQuery.substring(0, q);
      for (String pair : pathAndQuery.substring(q + 1).split("&")) {
        String[] kv = pair.split("=", 2);
        query
            .computeIfAbsent(kv[0], k -> new java.util.ArrayList<>())
            .add(java.net.URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
      }
    }
    Map<String, List<String>> headerMap = new HashMap<>();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      headerMap.put(headers[i].toLowerCase(java.util.Locale.ROOT), List.of(headers[i + 1]));
    }
    headerMap.putIfAbsent("user-agent", List.of("kubectl/v1.32.0 (linux/amd64)"));
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return new ApiRequest(method, path, query, headerMap, bytes, UserInfo.ANONYMOUS, false);
  }

  ApiResponse.Full call(String method, String pathAndQuery, String body, String... headers) {
    return (ApiResponse.Full) handler.handle(request(method, pathAndQuery, body, headers));
  }

  ObjectNode json(String method, String pathAndQuery, String body, String... headers) {
    return Json.parseObject(call(method, pathAndQuery, body, headers).body());
  }

  FakeStreamSink watch(String pathAndQuery, String... headers) {
    ApiResponse.Stream stream =
        (ApiResponse.Stream) handler.handle(request("GET", pathAndQuery, null, headers));
    FakeStreamSink sink = new FakeStreamSink();
    stream.source().start(sink);
    return sink;
  }

  static String pod(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\""
        + name
        + "\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}";
  }

  static String configMap(String name, String labels) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
        + name
        + "\",\"labels\":"
        + labels
        + "},\"data\":{\"k\":\"v\"}}";
  }

  @Override
  public void close() {
    handler.close();
    store.close();
  }
}
