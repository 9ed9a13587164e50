package dev.skiff.kubelet.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeHeartbeatTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private final FakeNodeApi api = new FakeNodeApi();
  private final AtomicReference<NodeHealth> health = new AtomicReference<>(NodeHealth.HEALTHY);
  private NodeHeartbeat heartbeat;

  @BeforeEach
  void setUp() {
    heartbeat =
        new NodeHeartbeat(NodeFixtures.config("n1"), health::get, api, Duration.ofSeconds(60));
  }

  @Test
  void firstTickRegistersTheNodeAndCreatesItsLeaseOwnedByTheNode() {
    Duration next = heartbeat.tick(T0);

    assertThat(next).isEqualTo(Duration.ofSeconds(10));
    assertThat(api.nodes).containsKey("n1");
    Lease lease = api.leases.get("n1");
    assertThat(lease.getMetadata().getNamespace()).isEqualTo("kube-node-lease");
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("n1");
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
    assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(T0);
    assertThat(lease.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Node");
              assertThat(o.getName()).isEqualTo("n1");
              assertThat(o.getUid()).isEqualTo(api.nodes.get("n1").getMetadata().getUid());
            });
  }

  @Test
  void leaseIsRenewedEveryTickButStatusOnlyEveryReportPeriod() {
    Instant now = T0;
    heartbeat.tick(now);
    api.calls.clear();

    for (int i = 1; i <= 5; i++) {
      now = T0.plusSeconds(10L * i);
      assertThat(heartbeat.tick(now)).isEqualTo(Duration.ofSeconds(10));
      assertThat(api.leases.get("n1").getSpec().getRenewTime().toInstant()).isEqualTo(now);
    }
    assertThat(api.calls).containsOnly("updateLease").hasSize(5);

    heartbeat.tick(T0.plusSeconds(60));
    assertThat(api.calls).endsWith("updateLease", "patchNodeStatus");
    NodeCondition ready = api.nodes.get("n1").getStatus().getConditions().get(3);
    assertThat(ready.getLastHeartbeatTime()).isEqualTo("2026-11-25T10:01:00Z");
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
  }

  @Test
  void aChangeOfHealthIsReportedAtTheNextTick() {
    heartbeat.tick(T0);
    api.calls.clear();
    health.set(NodeHealth.notReady("PLEG is not healthy"));

    heartbeat.tick(T0.plusSeconds(10));

    assertThat(api.calls).containsExactly("updateLease", "patchNodeStatus");
    NodeCondition ready = api.nodes.get("n1").getStatus().getConditions().get(3);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:10Z");
  }

  @Test
  void aStaleLeaseIsReadAgainAndRenewed() {
    heartbeat.tick(T0);
    api.bumpLease("n1");
    api.calls.clear();

    assertThat(heartbeat.tick(T0.plusSeconds(10))).isEqualTo(Duration.ofSeconds(10));

    assertThat(api.calls).containsExactly("updateLease", "getLease", "updateLease");
    assertThat(api.leases.get("n1").getSpec().getRenewTime().toInstant())
        .isEqualTo(T0.plusSeconds(10));
  }

  @Test
  void failuresBackOffFrom200MillisDoublingToSevenSecondsThenRecover() {
    heartbeat.tick(T0);
    api.failNext = 100;

    Instant now = T0.plusSeconds(10);
    StringBuilder delays = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      Duration next = heartbeat.tick(now);
      delays.append(next.toMillis()).append(' ');
      now = now.plus(next);
    }
    assertThat(delays.toString().trim()).isEqualTo("200 400 800 1600 3200 6400 7000 7000");

    api.failNext = 0;
    assertThat(heartbeat.tick(now)).isEqualTo(Duration.ofSeconds(10));
    assertThat(api.leases.get("n1").getSpec().getRenewTime().toInstant()).isEqualTo(now);
  }

  @Test
  void aDeletedNodeIsRegisteredAgainWhenItsStatusReportFails() {
    heartbeat.tick(T0);
    String oldUid = api.nodes.get("n1").getMetadata().getUid();
    api.nodes.clear();

    assertThat(heartbeat.tick(T0.plusSeconds(60))).isEqualTo(Duration.ofMillis(200));
    assertThat(heartbeat.tick(T0.plusSeconds(60).plusMillis(200)))
        .isEqualTo(Duration.ofSeconds(10));

    assertThat(api.nodes.get("n1").getMetadata().getUid()).isNotEqualTo(oldUid);

    assertThat(api.nodes).containsKey("n1");
    assertThat(api.leases.get("n1").getMetadata().getOwnerReferences().getFirst().getUid())
        .isEqualTo(api.nodes.get("n1").getMetadata().getUid());
  }

  @Test
  void offsetsSpreadHeartbeatsEvenlyOverThePeriod() {
    Duration period = Duration.ofSeconds(10);

    assertThat(HeartbeatLoop.spreadOffset(0, 5000, period)).isEqualTo(Duration.ZERO);
    assertThat(HeartbeatLoop.spreadOffset(1, 5000, period)).isEqualTo(Duration.ofMillis(2));
    assertThat(HeartbeatLoop.spreadOffset(2500, 5000, period)).isEqualTo(Duration.ofSeconds(5));
    assertThat(HeartbeatLoop.spreadOffset(4999, 5000, period)).isLessThan(period);
  }
}
