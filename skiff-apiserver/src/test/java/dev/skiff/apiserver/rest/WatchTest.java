package dev.skiff.apiserver.rest;

import static dev.skiff.apiserver.rest.HandlerFixture.configMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class WatchTest {
  private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

  private HandlerFixture fx = new HandlerFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  private String rv(ObjectNode object) {
    return object.path("metadata").path("resourceVersion").asString();
  }

  @Test
  void watchFromResourceVersionSendsLaterEventsAndSharesBytes() {
    ObjectNode a = fx.json("POST", CONFIGMAPS, configMap("a", "{}"));
    FakeStreamSink first = fx.watch(CONFIGMAPS + "?watch=true&resourceVersion=" + rv(a));
    FakeStreamSink second = fx.watch(CONFIGMAPS + "?watch=true&resourceVersion=" + rv(a));
    fx.call("POST", CONFIGMAPS, configMap("b", "{}"));
    fx.call("DELETE", CONFIGMAPS + "/a", null);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> first.events().size() == 2 && second.events().size() == 2);
    assertThat(first.summary()).containsExactly("ADDED b", "DELETED a");
    assertThat(first.chunks().get(0)).isSameAs(second.chunks().get(0));
    assertThat(new String(first.chunks().get(0), java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("{\"type\":\"ADDED\",\"object\":{")
        .endsWith("}\n");
  }

  @Test
  void watchWithoutResourceVersionStartsWithCurrentState() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{}"));
    FakeStreamSink sink = fx.watch("/api/v1/watch/namespaces/default/configmaps");
    fx.call("POST", CONFIGMAPS, configMap("b", "{}"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.events().size() == 2);
    assertThat(sink.summary()).containsExactly("ADDED a", "ADDED b");
  }

  @Test
  void objectsLeavingTheSelectorAreDeleted() {
    ObjectNode a = fx.json("POST", CONFIGMAPS, configMap("a", "{\"tier\":\"front\"}"));
    FakeStreamSink sink =
        fx.watch(CONFIGMAPS + "?watch=1&labelSelector=tier%3Dfront&resourceVersion=" + rv(a));
    fx.call(
        "PATCH",
        CONFIGMAPS + "/a",
        "{\"metadata\":{\"labels\":{\"tier\":\"back\"}}}",
        "Content-Type",
        "application/merge-patch+json");
    fx.call(
        "PATCH",
        CONFIGMAPS + "/a",
        "{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}",
        "Content-Type",
        "application/merge-patch+json");
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.events().size() == 2);
    assertThat(sink.summary()).containsExactly("DELETED a", "ADDED a");
  }

  @Test
  void tooOldResourceVersionGetsAnExpiredErrorEvent() {
    fx.close();
    fx = new HandlerFixture(RegistryOptions.defaults().withWatchCacheCapacity(2));
    ObjectNode first = fx.json("POST", CONFIGMAPS, configMap("a", "{}"));
    for (String name : new String[] {"b", "c", "d"}) {
      fx.call("POST", CONFIGMAPS, configMap(name, "{}"));
    }
    FakeStreamSink sink = fx.watch(CONFIGMAPS + "?watch=true&resourceVersion=" + rv(first));
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.isClosed());
    ObjectNode event = sink.events().get(0);
    assertThat(event.path("type").asString()).isEqualTo("ERROR");
    assertThat(event.path("object").path("code").asInt()).isEqualTo(410);
    assertThat(event.path("object").path("reason").asString()).isEqualTo("Expired");
    assertThat(event.path("object").path("message").asString())
        .startsWith("too old resource version: " + rv(first));
  }

  @Test
  void watchListSendsInitialEventsThenAnnotatedBookmark() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{}"));
    FakeStreamSink sink =
        fx.watch(
            CONFIGMAPS
                + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                + "&allowWatchBookmarks=true");
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.events().size() == 2);
    ObjectNode bookmark = sink.events().get(1);
    assertThat(sink.events().get(0).path("type").asString()).isEqualTo("ADDED");
    assertThat(bookmark.path("type").asString()).isEqualTo("BOOKMARK");
    assertThat(
            bookmark
                .path("object")
                .path("metadata")
                .path("annotations")
                .path("k8s.io/initial-events-end")
                .asString())
        .isEqualTo("true");
  }

  @Test
  void tableWatchCarriesColumnsOnlyInTheFirstEvent() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{}"));
    FakeStreamSink sink =
        fx.watch(
            CONFIGMAPS + "?watch=true", "Accept", "application/json;as=Table;v=v1;g=meta.k8s.io");
    fx.call("POST", CONFIGMAPS, configMap("b", "{}"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.events().size() == 2);
    ObjectNode first = (ObjectNode) sink.events().get(0).path("object");
    ObjectNode second = (ObjectNode) sink.events().get(1).path("object");
    assertThat(first.path("kind").asString()).isEqualTo("Table");
    assertThat(first.path("columnDefinitions").size()).isGreaterThan(0);
    assertThat(second.path("columnDefinitions").size()).isZero();
    assertThat(second.path("rows").get(0).path("cells").get(0).asString()).isEqualTo("b");
  }

  @Test
  void closingTheSinkRemovesTheWatcher() {
    FakeStreamSink sink = fx.watch(CONFIGMAPS + "?watch=true&timeoutSeconds=1");
    await().atMost(Duration.ofSeconds(5)).until(sink::isClosed);
    fx.call("POST", CONFIGMAPS, configMap("a", "{}"));
    assertThat(sink.events()).isEmpty();
  }
}
