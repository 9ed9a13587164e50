package dev.skiff.apiserver.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rule matching, coverage (escalation checks) and Forbidden messages. */
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
}
