package dev.skiff.storage.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.storage.Store;
import dev.skiff.storage.StoreOptions;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Stores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** etcd over HTTPS with client-certificate authentication, opened through {@link Stores}. */
class EtcdStoreTlsTest {
  private static EmbeddedEtcd etcd;

  @BeforeAll
  static void startEtcd() {
    etcd = EmbeddedEtcd.startTls();
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  private static StoreOptions withClientCertificate() {
    EmbeddedEtcd.TlsFiles tls = etcd.tls();
    return StoreOptions.defaults(null)
        .withEtcdTls(tls.caFile(), tls.clientCertFile(), tls.clientKeyFile());
  }

  @Test
  void httpsEndpointWithCaAndClientCertificate() {
    try (Store store = Stores.open(etcd.endpoint(), withClientCertificate())) {
      long rev = store.create("/tls/a", "v".getBytes(StandardCharsets.UTF_8));
      assertThat(store.get("/tls/a").orElseThrow().modRevision()).isEqualTo(rev);
    }
  }

  @Test
  void etcdSchemeUsesTlsWhenTheOptionsCarryTlsFiles() {
    String endpoint = "etcd://127.0.0.1:" + etcd.clientPort();
    try (Store store = Stores.open(endpoint, withClientCertificate())) {
      assertThat(store.currentRevision()).isPositive();
    }
  }

  @Test
  void withoutAClientCertificateTheConnectionIsRefused() {
    StoreOptions caOnly =
        StoreOptions.defaults(null)
            .withEtcdTls(etcd.tls().caFile(), null, null)
            .withTimeout(Duration.ofSeconds(3));

    assertThatThrownBy(() -> Stores.open(etcd.endpoint(), caOnly))
        .isInstanceOf(StoreUnavailable.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
