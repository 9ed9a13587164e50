package dev.skiff.apiserver;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test fixture: an in-memory control plane on an ephemeral port in a temporary data folder, with an
 * admin client from its generated kubeconfig. Register it per test class with
 * {@code @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();}; it
 * starts before the class's own {@code @BeforeAll} methods and stops after its {@code @AfterAll}
 * methods.
 */
public final class AdminControlPlane implements BeforeAllCallback, AfterAllCallback {
  private Path dataDir;
  private ControlPlane controlPlane;
  private KubernetesClient admin;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDir = Files.createTempDirectory("skiff-test");
    controlPlane =
        ControlPlane.start(
            new ControlPlaneOptions(
                    dataDir, "127.0.0.1", 0, "memory://", null, null, null, List.of(), kubeconfig())
                // no controller manager creates default service accounts here, as in
                // Kubernetes' integration test server
                .withDisabledAdmissionPlugins("ServiceAccount"));
    admin =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig())))
            .build();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (admin != null) {
      admin.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (dataDir != null) {
      try (Stream<Path> paths = Files.walk(dataDir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /** The control plane's data folder (a fresh temporary folder per test class). */
  public Path dataDir() {
    return dataDir;
  }

  /** The admin kubeconfig the control plane wrote. */
  public Path kubeconfig() {
    return dataDir.resolve("admin.kubeconfig");
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** A client authenticated as the cluster admin. */
  public KubernetesClient admin() {
    return admin;
  }
}
