package dev.skiff.storage;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link Stores#open} needs besides the endpoint.
 *
 * @param dataDir the server's data directory; the embedded sqlite default lives at {@code
 *     <dataDir>/db/state.db}
 * @param etcdCaFile CA bundle that verifies etcd's serving certificate (null: the JDK's trust)
 * @param etcdCertFile client certificate (PEM) presented to etcd, or null
 * @param etcdKeyFile the client certificate's private key (PKCS#8 PEM), or null
 * @param timeout how long to wait for the backend to answer one request, and to connect
 */
public record StoreOptions(
    Path dataDir, Path etcdCaFile, Path etcdCertFile, Path etcdKeyFile, Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public StoreOptions {
    if ((etcdCertFile == null) != (etcdKeyFile == null)) {
      throw new IllegalArgumentException("an etcd client certificate needs its key, and back");
    }
    if (timeout == null) {
      timeout = DEFAULT_TIMEOUT;
    }
  }

  /** No TLS files, the default timeout. */
  public static StoreOptions defaults(Path dataDir) {
    return new StoreOptions(dataDir, null, null, null, DEFAULT_TIMEOUT);
  }

  public StoreOptions withEtcdTls(Path caFile, Path certFile, Path keyFile) {
    return new StoreOptions(dataDir, caFile, certFile, keyFile, timeout);
  }

  public StoreOptions withTimeout(Duration timeout) {
    return new StoreOptions(dataDir, etcdCaFile, etcdCertFile, etcdKeyFile, timeout);
  }

  /** Whether any TLS file was given. */
  public boolean etcdTls() {
    return etcdCaFile != null || etcdCertFile != null;
  }
}
