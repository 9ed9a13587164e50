package dev.skiff.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.storage.memory.MemoryStore;
import dev.skiff.storage.sqlite.SqliteStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoresTest {
  @TempDir Path dataDir;

  @Test
  void memoryEndpoint() {
    try (Store store = Stores.open("memory://", StoreOptions.defaults(dataDir))) {
      assertThat(store).isInstanceOf(MemoryStore.class);
      assertThat(store.create("/k", new byte[] {1})).isEqualTo(1);
    }
  }

  @Test
  void emptyEndpointIsTheEmbeddedSqliteDatabaseInTheDataDir() {
    try (Store store = Stores.open("", StoreOptions.defaults(dataDir))) {
      assertThat(store).isInstanceOf(SqliteStore.class);
      store.create("/k", new byte[] {1});
    }
    assertThat(dataDir.resolve("db").resolve("state.db")).exists();
    try (Store store = Stores.open(null, StoreOptions.defaults(dataDir))) {
      assertThat(store.get("/k")).isPresent();
    }
  }

  @Test
  void sqliteEndpointWithAnAbsolutePath() {
    Path file = dataDir.resolve("elsewhere").resolve("my.db");
    try (Store store = Stores.open("sqlite://" + file, StoreOptions.defaults(null))) {
      assertThat(((SqliteStore) store).file()).isEqualTo(file);
    }
    assertThat(Files.exists(file)).isTrue();
  }

  @Test
  void aRelativeSqlitePathIsRejected() {
    assertThatThrownBy(() -> Stores.open("sqlite://relative/x.db", StoreOptions.defaults(dataDir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute");
  }

  @Test
  void anUnknownSchemeIsRejectedWithTheSyntax() {
    assertThatThrownBy(() -> Stores.open("mysql://db:3306/k8s", StoreOptions.defaults(dataDir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown datastore endpoint scheme 'mysql'")
        .hasMessageContaining("etcd://HOST:PORT");
    assertThatThrownBy(() -> Stores.open("nonsense", StoreOptions.defaults(dataDir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memory://");
  }

  @Test
  void anUnwritableSqlitePathFailsWithStoreUnavailable() throws Exception {
    Path file = Files.writeString(dataDir.resolve("file"), "x");
    assertThatThrownBy(
            () -> Stores.open("sqlite://" + file + "/db/x.db", StoreOptions.defaults(null)))
        .isInstanceOf(StoreUnavailable.class);
  }

  @Test
  void etcdEndpointsParseIntoClientUrls() {
    assertThat(Stores.etcdEndpoints("etcd://10.0.0.1:2379,10.0.0.2:2379", "http"))
        .containsExactly(URI.create("http://10.0.0.1:2379"), URI.create("http://10.0.0.2:2379"));
    assertThat(Stores.etcdEndpoints("https://a:2379,https://b:2379/", "https"))
        .containsExactly(URI.create("https://a:2379"), URI.create("https://b:2379"));
    assertThatThrownBy(() -> Stores.etcdEndpoints("etcd://nohost", "http"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid etcd endpoint 'etcd://nohost'");
  }

  @Test
  void tlsOptionsNeedBothCertificateAndKey() {
    assertThatThrownBy(
            () -> StoreOptions.defaults(dataDir).withEtcdTls(null, dataDir.resolve("c.pem"), null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
