package dev.skiff.proxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EndpointCategoriesTest {
  private static final ServicePortName NAME = new ServicePortName("ns", "svc", "", "TCP");
  private static final ServicePortInfo CLUSTER = ServicePortInfo.clusterIP(NAME, "10.43.0.1", 80);
  private static final ServicePortInfo INTERNAL_LOCAL = CLUSTER.withPolicies(false, true);
  private static final ServicePortInfo EXTERNAL_LOCAL =
      CLUSTER.withNodePort(30001).withPolicies(true, false);

  private static final Endpoint READY_REMOTE = ep("10.42.1.1", true, true, false, false);
  private static final Endpoint READY_LOCAL = ep("10.42.0.1", true, true, false, true);
  private static final Endpoint TERMINATING_LOCAL = ep("10.42.0.2", false, true, true, true);
  private static final Endpoint TERMINATING_REMOTE = ep("10.42.1.2", false, true, true, false);
  private static final Endpoint NOT_SERVING = ep("10.42.1.3", false, false, true, false);

  private static Endpoint ep(
      String ip, boolean ready, boolean serving, boolean term, boolean local) {
    return new Endpoint(ip, 80, ready, serving, term, local);
  }

  record Case(
      String name,
      ServicePortInfo service,
      List<Endpoint> endpoints,
      List<Endpoint> cluster,
      List<Endpoint> local,
      boolean hasAny) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case(
            "ready endpoints only",
            CLUSTER,
            List.of(READY_REMOTE, TERMINATING_REMOTE),
            List.of(READY_REMOTE),
            List.of(),
            true),
        new Case(
            "serving-terminating fallback",
            CLUSTER,
            List.of(TERMINATING_REMOTE, NOT_SERVING),
            List.of(TERMINATING_REMOTE),
            List.of(),
            true),
        new Case("nothing usable", CLUSTER, List.of(NOT_SERVING), List.of(), List.of(), false),
        new Case(
            "internal Local uses only local ready",
            INTERNAL_LOCAL,
            List.of(READY_REMOTE, READY_LOCAL, TERMINATING_LOCAL),
            List.of(),
            List.of(READY_LOCAL),
            true),
        new Case(
            "internal Local falls back to local serving-terminating",
            INTERNAL_LOCAL,
            List.of(READY_REMOTE, TERMINATING_LOCAL),
            List.of(),
            List.of(TERMINATING_LOCAL),
            true),
        new Case(
            "internal Local without local endpoints still has some",
            INTERNAL_LOCAL,
            List.of(READY_REMOTE),
            List.of(),
            List.of(),
            true),
        new Case(
            "external Local keeps cluster endpoints for internal traffic",
            EXTERNAL_LOCAL,
            List.of(READY_REMOTE, READY_LOCAL),
            List.of(READY_LOCAL, READY_REMOTE),
            List.of(READY_LOCAL),
            true));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void categorizesAsKubernetes(Case c) {
    EndpointCategories categories =
        EndpointCategories.of(c.service(), c.endpoints().stream().sorted().toList());

    assertThat(categories.cluster()).containsExactlyElementsOf(c.cluster());
    assertThat(categories.local()).containsExactlyElementsOf(c.local());
    assertThat(categories.hasAny()).isEqualTo(c.hasAny());
  }
}
