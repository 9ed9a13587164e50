package dev.skiff.testing;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Skiff API server in the test's JVM: real HTTPS on a free loopback port, a real fabric8
 * client, memory or sqlite storage. Register it as a JUnit 5 extension:
 *
 * <pre>{@code
 * @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
 *
 * @Test void createsAConfigMap() {
 *   cluster.client().configMaps().inNamespace("default").resource(configMap).create();
 * }
 * }</pre>
 *
 * A static field gives one cluster per test class, an instance field one per test. Outside JUnit,
 * {@link #start()} and {@link #close()} do the same.
 */
public final class SkiffCluster
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AutoCloseable {

  private final String datastoreEndpoint;
  private Path dataDir;
  private ControlPlane controlPlane;
  private KubernetesClient client;
  private boolean startedPerClass;

  private SkiffCluster(String datastoreEndpoint) {
    this.datastoreEndpoint = datastoreEndpoint;
  }

  /** A cluster whose objects live in memory (the fastest). */
  public static SkiffCluster memory() {
    return new SkiffCluster("memory://");
  }

  /** A cluster on the embedded sqlite store in a temporary directory (what `skiff server` uses). */
  public static SkiffCluster sqlite() {
    return new SkiffCluster(null);
  }

  /** A cluster on any datastore endpoint, e.g. an etcd the test started. */
  public static SkiffCluster withDatastore(String endpoint) {
    return new SkiffCluster(endpoint);
  }

  /** Starts the API server; returns this. */
  public synchronized SkiffCluster start() {
    if (controlPlane != null) {
      return this;
    }
    try {
      dataDir = Files.createTempDirectory("skiff-test-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    controlPlane =
        ControlPlane.start(
            new ControlPlaneOptions(
                    dataDir,
                    "127.0.0.1",
                    0,
                    datastoreEndpoint,
                    null,
                    null,
                    null,
                    List.of(),
                    dataDir.resolve("admin.kubeconfig"))
                // the API server alone: no controller creates the default service accounts (as
                // in Kubernetes' integration test server)
                .withDisabledAdmissionPlugins("ServiceAccount"));
    return this;
  }

  /** A fabric8 client authenticated as the cluster admin (shared; do not close it). */
  public synchronized KubernetesClient client() {
    requireStarted();
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  /** A new fabric8 client as the cluster admin; the caller closes it. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /** The fabric8 configuration of the admin kubeconfig. */
  public Config config() {
    requireStarted();
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfigPath()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The admin kubeconfig file, for kubectl or other clients. */
  public Path kubeconfigPath() {
    requireStarted();
    return controlPlane.kubeconfig();
  }

  /** The API server's URL, e.g. https://127.0.0.1:41234. */
  public String url() {
    requireStarted();
    return controlPlane.url();
  }

  /** The running control plane (PKI, port). */
  public ControlPlane controlPlane() {
    requireStarted();
    return controlPlane;
  }

  private void requireStarted() {
    if (controlPlane == null) {
      throw new IllegalStateException("the Skiff cluster is not started");
    }
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
    if (controlPlane != null) {
      controlPlane.close();
      controlPlane = null;
    }
    if (dataDir != null) {
      deleteRecursively(dataDir);
      dataDir = null;
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    startedPerClass = true;
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!startedPerClass) {
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!startedPerClass) {
      close();
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp dir does not fail a test
    }
  }
}
