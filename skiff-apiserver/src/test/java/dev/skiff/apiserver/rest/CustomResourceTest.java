package dev.skiff.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.http.ApiException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class CustomResourceTest {
  private static final ResourceType WIDGETS =
      new ResourceType(
          "example.com",
          "v1",
          "Widget",
          "widgets",
          "widget",
          true,
          List.of("wd"),
          List.of(),
          List.of("create", "delete", "get", "list", "patch", "update", "watch"),
          List.of("status"),
          "v1");
  private static final String PATH = "/apis/example.com/v1/namespaces/default/widgets";

  private final HandlerFixture fx = new HandlerFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void servedAfterTheCatalogGainsThemAndGoneAfterItLosesThem() {
    assertThatThrownBy(() -> fx.call("GET", PATH, null))
        .isInstanceOf(ApiException.class)
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(404);
    fx.handler.useCatalog(ResourceCatalog.builtIn().withTypes(List.of(WIDGETS)));
    ObjectNode created =
        fx.json(
            "POST",
            PATH + "?fieldValidation=Strict",
            "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},"
                + "\"spec\":{\"size\":3},\"status\":{\"ready\":true}}");
    assertThat(created.path("spec").path("size").asInt()).isEqualTo(3);
    assertThat(created.has("status")).isFalse();
    assertThat(created.path("metadata").path("generation").asLong()).isEqualTo(1);
    assertThatThrownBy(
            () ->
                fx.call(
                    "PUT", PATH + "/w", "{\"metadata\":{\"name\":\"w\"},\"spec\":{\"size\":5}}"))
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(422);
    ObjectNode status =
        fx.json(
            "PUT",
            PATH + "/w/status",
            "{\"metadata\":{\"name\":\"w\",\"resourceVersion\":\""
                + created.path("metadata").path("resourceVersion").asString()
                + "\"},\"spec\":{\"size\":9},\"status\":{\"ready\":true}}");
    assertThat(status.path("status").path("ready").asBoolean()).isTrue();
    assertThat(status.path("spec").path("size").asInt()).isEqualTo(3);
    assertThatThrownBy(
            () ->
                fx.call(
                    "PATCH",
                    PATH + "/w",
                    "{\"spec\":{\"size\":4}}",
                    "Content-Type",
                    "application/strategic-merge-patch+json"))
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(415);
    ObjectNode merged =
        fx.json(
            "PATCH",
            PATH + "/w",
            "{\"spec\":{\"size\":4}}",
            "Content-Type",
            "application/merge-patch+json");
    assertThat(merged.path("spec").path("size").asInt()).isEqualTo(4);
    assertThat(merged.path("metadata").path("generation").asLong()).isEqualTo(2);

    fx.handler.useCatalog(ResourceCatalog.builtIn());
    assertThatThrownBy(() -> fx.call("GET", PATH + "/w", null))
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(404);
  }
}
