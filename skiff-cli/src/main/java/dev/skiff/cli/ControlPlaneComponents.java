package dev.skiff.cli;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.controllers.ControllerManager;
import dev.skiff.controllers.ControllerManagerOptions;
import dev.skiff.controllers.runtime.ControllerCredentials;
import dev.skiff.controllers.runtime.ServiceAccountCredentials;
import dev.skiff.scheduler.Scheduler;
import dev.skiff.scheduler.SchedulerConfiguration;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The scheduler and the controller manager that {@code skiff server} runs beside its API server.
 * Each is an API client with its own identity (as kube-scheduler and kube-controller-manager are)
 * and takes part in leader election, so several servers run one active instance of each.
 */
final class ControlPlaneComponents implements AutoCloseable {
  private final List<AutoCloseable> started = new ArrayList<>();

  /**
   * Starts the components not disabled (k3s' --disable-scheduler, --disable-controller-manager);
   * the controller manager runs every default controller but {@code disabledControllers}, with the
   * local-path provisioner when a storage path is given. With {@code useServiceAccountCredentials}
   * each controller acts as its ServiceAccount kube-system/NAME; without, every controller acts as
   * the manager, which then needs every controller's rights and gets them through the
   * system:masters group.
   */
  static ControlPlaneComponents start(
      ControlPlane controlPlane,
      boolean withScheduler,
      boolean withControllers,
      List<String> disabledControllers,
      Optional<Path> localStoragePath,
      boolean useServiceAccountCredentials) {
    ControlPlaneComponents components = new ControlPlaneComponents();
    try {
      if (withScheduler) {
        components.startScheduler(controlPlane);
      }
      if (withControllers) {
        components.startControllers(
            controlPlane, disabledControllers, localStoragePath, useServiceAccountCredentials);
      }
      return components;
    } catch (RuntimeException e) {
      components.close();
      throw e;
    }
  }

  private void startScheduler(ControlPlane controlPlane) {
    KubernetesClient schedulerClient = client(controlPlane, "system:kube-scheduler");
    Scheduler scheduler =
        new Scheduler(schedulerClient, SchedulerConfiguration.defaults(), InstantSource.system());
    scheduler.start();
    started.add(scheduler);
  }

  private void startControllers(
      ControlPlane controlPlane,
      List<String> disabledControllers,
      Optional<Path> localStoragePath,
      boolean useServiceAccountCredentials) {
    List<String> selection = new ArrayList<>(List.of("*"));
    disabledControllers.forEach(name -> selection.add("-" + name));
    KubernetesClient controllersClient =
        useServiceAccountCredentials
            ? client(controlPlane, "system:kube-controller-manager")
            : client(controlPlane, "system:kube-controller-manager", "system:masters");
    ControllerCredentials credentials =
        useServiceAccountCredentials
            ? new ServiceAccountCredentials(controllersClient, InstantSource.system())
            : ControllerCredentials.shared(controllersClient);
    ControllerManager controllers =
        new ControllerManager(
            controllersClient,
            credentials,
            ControllerManagerOptions.defaults()
                .withControllers(selection)
                .withLeaderElect(true, "skiff-controller-manager-" + hostName())
                .withRootCaPem(controlPlane.pki().caCertificatePem())
                .withLocalStoragePath(localStoragePath.orElse(null)),
            InstantSource.system());
    controllers.start();
    started.add(controllers);
  }

  private KubernetesClient client(ControlPlane controlPlane, String user, String... groups) {
    Config config = Config.fromKubeconfig(controlPlane.componentKubeconfig(user, List.of(groups)));
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    started.add(client);
    return client;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** Stops the components, newest first. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // stopping goes on for the others; the process is ending anyway
      }
    }
    started.clear();
  }
}
