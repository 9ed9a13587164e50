package dev.skiff.storage;

import dev.skiff.storage.etcd.EtcdStore;
import dev.skiff.storage.memory.MemoryStore;
import dev.skiff.storage.sqlite.SqliteStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the {@link Store} a datastore endpoint names:
 *
 * <ul>
 *   <li>empty or null: the embedded sqlite database at {@code <dataDir>/db/state.db};
 *   <li>{@code memory://}: an in-memory store, gone when the process ends;
 *   <li>{@code sqlite:///ABSOLUTE/PATH}: a sqlite database file ({@code sqlite://} alone: the
 *       embedded default);
 *   <li>{@code etcd://HOST:PORT[,HOST:PORT...]}: etcd, over TLS when the options carry TLS files;
 *   <li>{@code http://HOST:PORT[,...]} or {@code https://HOST:PORT[,...]}: etcd at those client
 *       URLs (https uses the options' CA, certificate and key files).
 * </ul>
 */
public final class Stores {
  private static final String SYNTAX =
      "expected memory://, sqlite:///ABSOLUTE/PATH, etcd://HOST:PORT[,HOST:PORT]"
          + " or https://HOST:PORT[,HOST:PORT]";

  private Stores() {}

  /**
   * Opens the store; throws {@link IllegalArgumentException} for an endpoint it cannot parse and
   * {@link StoreUnavailable} (one line) when the backend cannot be reached or written.
   */
  public static Store open(String endpoint, StoreOptions options) {
    String spec = endpoint == null ? "" : endpoint.strip();
    if (spec.isEmpty() || spec.equals("sqlite://")) {
      return new SqliteStore(defaultSqlitePath(options));
    }
    int colon = spec.indexOf("://");
    if (colon < 0) {
      throw new IllegalArgumentException("invalid datastore endpoint '" + spec + "': " + SYNTAX);
    }
    String scheme = spec.substring(0, colon);
    String rest = spec.substring(colon + 3);
    return switch (scheme) {
      case "memory" -> {
        if (!rest.isEmpty()) {
          throw new IllegalArgumentException(
              "invalid datastore endpoint '" + spec + "': memory:// takes no path");
        }
        yield new MemoryStore();
      }
      case "sqlite" -> {
        if (!rest.startsWith("/")) {
          throw new IllegalArgumentException(
              "invalid datastore endpoint '" + spec + "': the sqlite path must be absolute");
        }
        yield new SqliteStore(Path.of(rest));
      }
      case "etcd" ->
          new EtcdStore(etcdEndpoints(spec, options.etcdTls() ? "https" : "http"), options);
      case "http", "https" -> new EtcdStore(etcdEndpoints(spec, scheme), options);
      default ->
          throw new IllegalArgumentException(
              "unknown datastore endpoint scheme '" + scheme + "' in '" + spec + "': " + SYNTAX);
    };
  }

  /** The embedded database's location: {@code <dataDir>/db/state.db}. */
  public static Path defaultSqlitePath(StoreOptions options) {
    if (options == null || options.dataDir() == null) {
      throw new IllegalArgumentException("the embedded sqlite store needs a data directory");
    }
    return options.dataDir().resolve("db").resolve("state.db");
  }

  /** Parses {@code scheme://h:p,h:p} or {@code scheme://h:p,scheme://h:p} into client URLs. */
  static List<URI> etcdEndpoints(String spec, String urlScheme) {
    List<URI> endpoints = new ArrayList<>();
    for (String part : spec.split(",")) {
      String hostPort = part.strip();
      int schemeEnd = hostPort.indexOf("://");
      if (schemeEnd >= 0) {
        hostPort = hostPort.substring(schemeEnd + 3);
      }
      if (hostPort.endsWith("/")) {
        hostPort = hostPort.substring(0, hostPort.length() - 1);
      }
      URI uri;
      try {
        uri = URI.create(urlScheme + "://" + hostPort);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "invalid etcd endpoint '" + part.strip() + "' in '" + spec + "': " + SYNTAX, e);
      }
      if (uri.getHost() == null || uri.getPort() < 0 || !uri.getPath().isEmpty()) {
        throw new IllegalArgumentException(
            "invalid etcd endpoint '" + part.strip() + "' in '" + spec + "': " + SYNTAX);
      }
      endpoints.add(uri);
    }
    return endpoints;
  }
}
