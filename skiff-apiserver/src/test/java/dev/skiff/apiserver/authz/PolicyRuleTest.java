package dev.skiff.apiserver.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rule matching, coverage (escalation checks) and the protobuf bodies of the review APIs. */
class PolicyRuleTest {
  private static final UserInfo JANE = new UserInfo("jane", "", List.of(), Map.of());

  private static List<String> list(String csv) {
    return csv.isEmpty() ? List.of() : List.of(csv.split(" "));
  }

  @ParameterizedTest(name = "{0} {1} {2}/{3} name={4} -> {5}")
  @CsvSource(
      delimiter = '|',
      value = {
        // rule verbs | groups | resources | names || verb | group | resource | sub | name | allowed
        "get list | '' | pods | '' | get | '' | pods | '' | x | true",
        "get list | '' | pods | '' | create | '' | pods | '' | '' | false",
        "get | '' | pods | '' | get | apps | pods | '' | x | false",
        "* | * | * | '' | delete | apps | deployments | scale | x | true",
        "get | '' | pods | '' | get | '' | pods | log | x | false",
        "get | '' | pods/log | '' | get | '' | pods | log | x | true",
        "get | '' | */status | '' | get | apps | deployments | status | x | false",
        "get | apps | */status | '' | get | apps | deployments | status | x | true",
        "get | '' | configmaps | a b | get | '' | configmaps | '' | b | true",
        "get | '' | configmaps | a b | get | '' | configmaps | '' | c | false",
        "get | '' | configmaps | a | list | '' | configmaps | '' | '' | false",
      })
  void resourceRules(
      String verbs,
      String groups,
      String resources,
      String names,
      String verb,
      String group,
      String resource,
      String subresource,
      String name,
      boolean allowed) {
    PolicyRule rule =
        new PolicyRule(
            list(verbs),
            list(groups).isEmpty() ? List.of("") : list(groups),
            list(resources),
            list(names),
            List.of());
    Attributes request = Attributes.resource(JANE, verb, group, resource, subresource, "ns", name);
    assertThat(rule.allows(request)).isEqualTo(allowed);
  }

  @Test
  void nonResourceRulesMatchExactlyOrByTrailingStar() {
    PolicyRule rule = PolicyRule.nonResource(List.of("get"), List.of("/healthz", "/apis/*"));
    assertThat(rule.allows(Attributes.nonResource(JANE, "get", "/healthz"))).isTrue();
    assertThat(rule.allows(Attributes.nonResource(JANE, "get", "/healthz/etcd"))).isFalse();
    assertThat(rule.allows(Attributes.nonResource(JANE, "get", "/apis/apps/v1"))).isTrue();
    assertThat(rule.allows(Attributes.nonResource(JANE, "post", "/apis/apps"))).isFalse();
    assertThat(rule.allows(Attributes.resource(JANE, "get", "", "pods", "", "", ""))).isFalse();
  }

  @Test
  void coverageBreaksRulesIntoAtoms() {
    List<PolicyRule> owned =
        List.of(
            PolicyRule.resources(List.of("get", "list"), List.of(""), List.of("pods", "*/status")),
            PolicyRule.resources(List.of("*"), List.of("apps"), List.of("deployments")));
    assertThat(
            RuleCoverage.covers(
                owned,
                List.of(
                    PolicyRule.resources(
                        List.of("get"), List.of(""), List.of("pods", "pods/status")),
                    PolicyRule.resources(
                        List.of("create", "delete"), List.of("apps"), List.of("deployments")))))
        .isEmpty();
    List<PolicyRule> missing =
        RuleCoverage.covers(
            owned,
            List.of(PolicyRule.resources(List.of("get", "delete"), List.of(""), List.of("pods"))));
    assertThat(missing)
        .extracting(PolicyRule::describe)
        .containsExactly("{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}");
    // a named grant does not cover an unnamed request, an unnamed one covers named ones
    List<PolicyRule> named =
        List.of(
            PolicyRule.resources(List.of("get"), List.of(""), List.of("secrets")).withNames("a"));
    assertThat(
            RuleCoverage.covers(
                named,
                List.of(PolicyRule.resources(List.of("get"), List.of(""), List.of("secrets")))))
        .hasSize(1);
    assertThat(
            RuleCoverage.covers(
                List.of(PolicyRule.resources(List.of("get"), List.of(""), List.of("secrets"))),
                named))
        .isEmpty();
  }

  @Test
  void forbiddenMessagesFollowKubernetes() {
    assertThat(Forbidden.error(Attributes.nonResource(JANE, "get", "/metrics"), "").getMessage())
        .isEqualTo("forbidden: User \"jane\" cannot get path \"/metrics\"");
    ApiException e =
        Forbidden.error(
            Attributes.resource(JANE, "get", "", "pods", "log", "ns", "web"), "because");
    assertThat(e.getMessage())
        .isEqualTo(
            "pods \"web\" is forbidden: User \"jane\" cannot get resource \"pods/log\" in API"
                + " group \"\" in the namespace \"ns\": because");
    assertThat(e.code()).isEqualTo(403);
  }

  private static void field(ByteArrayOutputStream out, int number, byte[] value) {
    out.write((number << 3) | 2);
    out.write(value.length);
    out.writeBytes(value);
  }

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void protobufEnvelopeDecodesBySchema() {
    ByteArrayOutputStream attributes = new ByteArrayOutputStream();
    field(attributes, 1, text("team"));
    field(attributes, 2, text("list"));
    field(attributes, 5, text("pods"));
    ByteArrayOutputStream spec = new ByteArrayOutputStream();
    field(spec, 1, attributes.toByteArray());
    ByteArrayOutputStream review = new ByteArrayOutputStream();
    field(review, 2, spec.toByteArray());
    ByteArrayOutputStream typeMeta = new ByteArrayOutputStream();
    field(typeMeta, 1, text("authorization.k8s.io/v1"));
    field(typeMeta, 2, text("SelfSubjectAccessReview"));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {'k', '8', 's', 0});
    field(body, 1, typeMeta.toByteArray());
    field(body, 2, review.toByteArray());
    var schema =
        Map.<Integer, ProtobufBodies.Field>of(
            2,
            new ProtobufBodies.Message(
                "spec",
                Map.of(
                    1,
                    new ProtobufBodies.Message(
                        "resourceAttributes",
                        Map.of(
                            1, new ProtobufBodies.Text("namespace"),
                            2, new ProtobufBodies.Text("verb"),
                            5, new ProtobufBodies.Text("resource"))))));
    var decoded = ProtobufBodies.decode(body.toByteArray(), schema);
    assertThat(decoded.path("kind").asString()).isEqualTo("SelfSubjectAccessReview");
    assertThat(decoded.path("spec").path("resourceAttributes").path("verb").asString())
        .isEqualTo("list");
    assertThat(decoded.path("spec").path("resourceAttributes").path("namespace").asString())
        .isEqualTo("team");
    byte[] truncated = java.util.Arrays.copyOf(body.toByteArray(), body.size() - 3);
    assertThatThrownBy(() -> ProtobufBodies.decode(truncated, schema))
        .isInstanceOf(ApiException.class)
        .hasMessage("the body of the request was in an unknown format");
  }
}
