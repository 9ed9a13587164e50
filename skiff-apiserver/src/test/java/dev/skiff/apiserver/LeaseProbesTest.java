package dev.skiff.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.componentstatus.HealthResult;
import dev.skiff.storage.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LeaseProbesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T11:00:00Z");

  private static byte[] lease(String renewTime) {
    return ("{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"spec\":{"
            + "\"holderIdentity\":\"node-a\",\"leaseDurationSeconds\":15,\"renewTime\":\""
            + renewTime
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aComponentIsHealthyWhileItsLeaseIsRenewed() {
    try (MemoryStore store = new MemoryStore()) {
      store.create(
          "/registry/coordination.k8s.io/leases/kube-system/kube-scheduler",
          lease("2026-11-25T10:59:55.000000Z"));
      store.create(
          "/registry/coordination.k8s.io/leases/kube-system/kube-controller-manager",
          lease("2026-11-25T10:58:00.000000Z"));
      Map<String, Supplier<HealthResult>> probes = LeaseProbes.of(store, InstantSource.fixed(NOW));

      assertThat(probes.keySet()).containsExactly("controller-manager", "scheduler", "etcd-0");
      assertThat(probes.get("scheduler").get().healthy()).isTrue();
      HealthResult controllers = probes.get("controller-manager").get();
      assertThat(controllers.healthy()).isFalse();
      assertThat(controllers.error()).contains("node-a stopped renewing");
      assertThat(probes.get("etcd-0").get().healthy()).isTrue();
    }
  }

  @Test
  void aComponentWithoutALeaseIsUnhealthy() {
    try (MemoryStore store = new MemoryStore()) {
      HealthResult scheduler =
          LeaseProbes.of(store, InstantSource.fixed(NOW)).get("scheduler").get();
      assertThat(scheduler.healthy()).isFalse();
      assertThat(scheduler.error()).contains("no leader");
    }
  }
}
