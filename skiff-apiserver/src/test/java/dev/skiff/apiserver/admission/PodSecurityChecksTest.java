package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Pod Security checks: messages, order, and restricted checks replacing baseline ones. */
class PodSecurityChecksTest {
  private static final String HARDENED =
      "\"securityContext\":{\"allowPrivilegeEscalation\":false,"
          + "\"capabilities\":{\"drop\":[\"ALL\"]}}";
  private static final String HARDENED_POD =
      "\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}";

  record Case(String name, String level, String spec, List<String> violations) {}

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "baseline: added capabilities of two containers, sorted",
            "baseline",
            "{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"capabilities\":{\"add\":"
                + "[\"SYS_ADMIN\",\"CHOWN\"]}}},{\"name\":\"b\",\"securityContext\":"
                + "{\"capabilities\":{\"add\":[\"NET_ADMIN\"]}}}]}",
            List.of(
                "non-default capabilities (containers \"a\", \"b\" must not include \"NET_ADMIN\","
                    + " \"SYS_ADMIN\" in securityContext.capabilities.add)")),
        new Case(
            "baseline: host ports, then privileged, in Kubernetes' order",
            "baseline",
            "{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"privileged\":true},"
                + "\"ports\":[{\"containerPort\":80,\"hostPort\":80}]},{\"name\":\"b\","
                + "\"ports\":[{\"containerPort\":443,\"hostPort\":443}]}],\"hostPID\":true}",
            List.of(
                "host namespaces (hostPID=true)",
                "hostPort (containers \"a\", \"b\" use hostPorts 80, 443)",
                "privileged (container \"a\" must not set securityContext.privileged=true)")),
        new Case(
            "baseline: an Unconfined seccomp profile",
            "baseline",
            "{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},"
                + "\"containers\":[{\"name\":\"c\"}]}",
            List.of(
                "seccompProfile (pod must not set securityContext.seccompProfile.type to"
                    + " \"Unconfined\")")),
        new Case(
            "baseline: hostPath volumes",
            "baseline",
            "{\"containers\":[{\"name\":\"c\"}],\"volumes\":[{\"name\":\"h\",\"hostPath\":"
                + "{\"path\":\"/\"}},{\"name\":\"e\",\"emptyDir\":{}}]}",
            List.of("hostPath volumes (volume \"h\")")),
        new Case(
            "restricted: hostPath is a restricted volume type, not reported twice",
            "restricted",
            "{"
                + HARDENED_POD
                + ",\"containers\":[{\"name\":\"c\","
                + HARDENED
                + "}],"
                + "\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}},"
                + "{\"name\":\"n\",\"nfs\":{\"server\":\"s\",\"path\":\"/\"}}]}",
            List.of(
                "restricted volume types (volumes \"h\", \"n\" use restricted volume types"
                    + " \"hostPath\", \"nfs\")")),
        new Case(
            "restricted: added capabilities replace the baseline check",
            "restricted",
            "{"
                + HARDENED_POD
                + ",\"containers\":[{\"name\":\"c\",\"securityContext\":"
                + "{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"add\":[\"SYS_ADMIN\","
                + "\"NET_BIND_SERVICE\"]}}}]}",
            List.of(
                "unrestricted capabilities (container \"c\" must set"
                    + " securityContext.capabilities.drop=[\"ALL\"]; container \"c\" must not"
                    + " include \"SYS_ADMIN\" in securityContext.capabilities.add)")),
        new Case(
            "restricted: explicit runAsNonRoot=false and runAsUser=0",
            "restricted",
            "{\"securityContext\":{\"seccompProfile\":{\"type\":\"RuntimeDefault\"},"
                + "\"runAsUser\":0},\"containers\":[{\"name\":\"c\",\"securityContext\":"
                + "{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]},"
                + "\"runAsNonRoot\":false,\"runAsUser\":0}}]}",
            List.of(
                "runAsNonRoot != true (container \"c\" must not set"
                    + " securityContext.runAsNonRoot=false)",
                "runAsUser=0 (pod and container \"c\" must not set runAsUser=0)")),
        new Case(
            "restricted: a container's Unconfined profile",
            "restricted",
            "{\"securityContext\":{\"runAsNonRoot\":true},\"containers\":[{\"name\":\"c\","
                + "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":"
                + "{\"drop\":[\"ALL\"]},\"seccompProfile\":{\"type\":\"Unconfined\"}}}]}",
            List.of(
                "seccompProfile (container \"c\" must not set securityContext.seccompProfile.type"
                    + " to \"Unconfined\")")),
        new Case(
            "restricted: a hardened pod passes",
            "restricted",
            "{"
                + HARDENED_POD
                + ",\"containers\":[{\"name\":\"c\","
                + HARDENED
                + "}],"
                + "\"volumes\":[{\"name\":\"s\",\"secret\":{\"secretName\":\"x\"}}]}",
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluate(Case test) {
    var pod = Json.parseObject(("{\"spec\":" + test.spec() + "}").getBytes(StandardCharsets.UTF_8));

    List<String> violations =
        PodSecurity.evaluate(new PodSecurity.Policy(test.level(), "latest"), pod).stream()
            .map(PodSecurity.Violation::toString)
            .toList();

    assertThat(violations).as(test.name()).containsExactlyElementsOf(test.violations());
  }
}
