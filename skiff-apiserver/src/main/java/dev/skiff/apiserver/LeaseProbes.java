package dev.skiff.apiserver;

import dev.skiff.api.Json;
import dev.skiff.apiserver.componentstatus.HealthResult;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * Component statuses of the control plane: the scheduler and the controller manager are healthy
 * while their leader-election Lease is renewed (wherever they run, they are API clients; the lease
 * is how they show they are alive), the datastore while it answers.
 */
final class LeaseProbes {
  private LeaseProbes() {}

  static Map<String, Supplier<HealthResult>> of(Store store, InstantSource clock) {
    Map<String, Supplier<HealthResult>> probes = new LinkedHashMap<>();
    probes.put("controller-manager", () -> leader(store, clock, "kube-controller-manager"));
    probes.put("scheduler", () -> leader(store, clock, "kube-scheduler"));
    probes.put(
        "etcd-0",
        () -> {
          store.currentRevision();
          return HealthResult.healthy("ok");
        });
    return probes;
  }

  private static HealthResult leader(Store store, InstantSource clock, String lease) {
    Optional<KeyValue> kv = store.get("/registry/coordination.k8s.io/leases/kube-system/" + lease);
    if (kv.isEmpty()) {
      return HealthResult.unhealthy("no leader has taken the kube-system/" + lease + " lease");
    }
    JsonNode spec = Json.MAPPER.readTree(kv.get().value()).path("spec");
    String renewed = spec.path("renewTime").asString("");
    if (renewed.isEmpty()) {
      return HealthResult.unhealthy("the kube-system/" + lease + " lease was never renewed");
    }
    Instant expires =
        OffsetDateTime.parse(renewed)
            .toInstant()
            .plus(Duration.ofSeconds(spec.path("leaseDurationSeconds").asLong(15)));
    return clock.instant().isBefore(expires)
        ? HealthResult.healthy("ok")
        : HealthResult.unhealthy(
            "leader " + spec.path("holderIdentity").asString("") + " stopped renewing its lease");
  }
}
