package dev.skiff.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestInfoTest {
  record Case(String name, String method, String path, String watch, RequestInfo expected) {}

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "core list",
            "GET",
            "/api/v1/pods",
            null,
            new RequestInfo("list", "", "v1", "pods", "", "", "", "")),
        new Case(
            "namespaced get",
            "GET",
            "/api/v1/namespaces/default/pods/web",
            null,
            new RequestInfo("get", "", "v1", "pods", "", "default", "web", "")),
        new Case(
            "group create",
            "POST",
            "/apis/apps/v1/namespaces/ns/deployments",
            null,
            new RequestInfo("create", "apps", "v1", "deployments", "", "ns", "", "")),
        new Case(
            "watch param",
            "GET",
            "/api/v1/namespaces/ns/configmaps",
            "true",
            new RequestInfo("watch", "", "v1", "configmaps", "", "ns", "", "")),
        new Case(
            "watch prefix",
            "GET",
            "/apis/apps/v1/watch/namespaces/ns/deployments/d",
            null,
            new RequestInfo("watch", "apps", "v1", "deployments", "", "ns", "d", "")),
        new Case(
            "namespace itself",
            "GET",
            "/api/v1/namespaces/kube-system",
            null,
            new RequestInfo("get", "", "v1", "namespaces", "", "kube-system", "kube-system", "")),
        new Case(
            "namespace status",
            "PUT",
            "/api/v1/namespaces/x/status",
            null,
            new RequestInfo("update", "", "v1", "namespaces", "status", "x", "x", "")),
        new Case(
            "namespace finalize",
            "PUT",
            "/api/v1/namespaces/x/finalize",
            null,
            new RequestInfo("update", "", "v1", "namespaces", "finalize", "x", "x", "")),
        new Case(
            "subresource",
            "PATCH",
            "/apis/apps/v1/namespaces/ns/deployments/d/scale",
            null,
            new RequestInfo("patch", "apps", "v1", "deployments", "scale", "ns", "d", "")),
        new Case(
            "proxy path",
            "GET",
            "/api/v1/namespaces/ns/pods/p/proxy/a/b",
            null,
            new RequestInfo("get", "", "v1", "pods", "proxy", "ns", "p", "a/b")),
        new Case(
            "delete",
            "DELETE",
            "/api/v1/nodes/n1",
            null,
            new RequestInfo("delete", "", "v1", "nodes", "", "", "n1", "")),
        new Case(
            "deletecollection",
            "DELETE",
            "/api/v1/namespaces/ns/secrets",
            null,
            new RequestInfo("deletecollection", "", "v1", "secrets", "", "ns", "", "")),
        new Case(
            "cluster list of namespaced",
            "GET",
            "/apis/batch/v1/jobs/",
            null,
            new RequestInfo("list", "batch", "v1", "jobs", "", "", "", "")));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void parsesResourcePaths(Case c) {
    assertThat(RequestInfo.parse(c.method(), c.path(), c.watch())).contains(c.expected());
  }

  @ParameterizedTest
  @MethodSource("nonResource")
  void ignoresNonResourcePaths(String path) {
    assertThat(RequestInfo.parse("GET", path, null)).isEmpty();
  }

  static Stream<String> nonResource() {
    return Stream.of(
        "/api", "/api/v1", "/apis/apps/v1", "/healthz", "/version", "/apis/apps/v1/watch");
  }
}
