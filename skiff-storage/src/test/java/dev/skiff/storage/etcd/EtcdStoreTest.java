package dev.skiff.storage.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.storage.Compacted;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreContract;
import dev.skiff.storage.StoreOptions;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Stores;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract against a real etcd, a fresh one per test so revisions start from scratch. */
class EtcdStoreTest extends StoreContract {
  private EmbeddedEtcd etcd;

  @Override
  protected Store newStore() {
    etcd = EmbeddedEtcd.start();
    return new EtcdStore(List.of(etcd.clientUrl()), StoreOptions.defaults(null));
  }

  @Override
  protected void afterStoreClosed() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void storesOpensAnEtcdEndpoint() {
    try (Store opened = Stores.open(etcd.endpoint(), StoreOptions.defaults(null))) {
      long rev = opened.create("/via/stores", bytes("v"));
      assertThat(store.get("/via/stores").orElseThrow().modRevision()).isEqualTo(rev);
    }
  }

  @Test
  void aStoreThatDidNotCompactStillReportsEtcdsCompactedRevision() {
    long first = store.create("/k", bytes("1"));
    long second = store.update("/k", bytes("2"), first);
    store.compact(second);

    try (Store other = new EtcdStore(List.of(etcd.clientUrl()), StoreOptions.defaults(null))) {
      assertThatThrownBy(() -> other.range("/", first, null, 0))
          .isInstanceOfSatisfying(
              Compacted.class, e -> assertThat(e.compactedRevision()).isEqualTo(second));
      assertThatThrownBy(() -> other.watch("/", first - 1, new Recorder()))
          .isInstanceOf(Compacted.class);
    }
  }

  @Test
  void anUnreachableEtcdFailsFastWithAOneLineMessage() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    StoreOptions options = StoreOptions.defaults(null).withTimeout(Duration.ofSeconds(2));

    assertThatThrownBy(
            () -> new EtcdStore(List.of(URI.create("http://127.0.0.1:" + closedPort)), options))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("etcd at http://127.0.0.1:" + closedPort)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
