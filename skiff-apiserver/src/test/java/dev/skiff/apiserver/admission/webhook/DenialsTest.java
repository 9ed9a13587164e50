package dev.skiff.apiserver.admission.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Status a webhook's refusal becomes, worded and coded as Kubernetes does. */
class DenialsTest {
  private static final ResourceType DEPLOYMENTS =
      ResourceCatalog.builtIn().find("apps", "v1", "deployments").orElseThrow();
  private static final GroupVersionResource REQUESTED =
      new GroupVersionResource("apps", "v1", "deployments");
  private static final Webhook WEBHOOK =
      Webhook.parse("c", Json.MAPPER.readTree("{\"name\":\"policy.example.com\"}"));

  record Case(
      String name, String objectName, String status, int code, String reason, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "message, no code",
            "web",
            "{\"message\":\"replicas must be odd\"}",
            403,
            "Forbidden",
            "deployments.apps \"web\" is forbidden: admission webhook \"policy.example.com\" denied"
                + " the request: replicas must be odd"),
        new Case(
            "reason only",
            "web",
            "{\"reason\":\"NotOdd\",\"code\":422}",
            422,
            "NotOdd",
            "deployments.apps \"web\" is forbidden: admission webhook \"policy.example.com\" denied"
                + " the request: NotOdd"),
        new Case(
            "nothing said, no name",
            "",
            "{}",
            403,
            "Forbidden",
            "deployments.apps \"Unknown\" is forbidden: admission webhook \"policy.example.com\""
                + " denied the request without explanation"),
        new Case(
            "a code below 400 is still a refusal",
            "web",
            "{\"code\":200,\"message\":\"no\"}",
            403,
            "Forbidden",
            "deployments.apps \"web\" is forbidden: admission webhook \"policy.example.com\" denied"
                + " the request: no"),
        new Case(
            "500",
            "web",
            "{\"code\":500,\"message\":\"broken\"}",
            500,
            "InternalError",
            "Internal error occurred: admission webhook \"policy.example.com\" denied the request:"
                + " broken"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void denial(Case c) {
    AdmissionRequest request =
        new AdmissionRequest(
            AdmissionRequest.Operation.CREATE,
            DEPLOYMENTS,
            "",
            "default",
            c.objectName(),
            Json.object(),
            null,
            UserInfo.ANONYMOUS,
            false);
    var response = Json.object();
    response.put("allowed", false);
    response.set("status", Json.MAPPER.readTree(c.status()));

    ApiException denied = Denials.denied(WEBHOOK, request, REQUESTED, response);

    assertThat(denied.code()).isEqualTo(c.code());
    assertThat(denied.reason()).isEqualTo(c.reason());
    assertThat(denied.getMessage()).isEqualTo(c.message());
  }
}
