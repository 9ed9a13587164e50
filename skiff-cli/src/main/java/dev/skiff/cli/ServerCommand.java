package dev.skiff.cli;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import dev.skiff.apiserver.ServiceNetwork;
import dev.skiff.apiserver.audit.AuditLogOptions;
import dev.skiff.controllers.servicelb.ServiceLoadBalancerControllers;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code skiff server}: the control plane (API server, storage, scheduler, controllers). */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the control plane: the API server with its datastore, the scheduler and the"
          + " controller manager.",
      "Prints 'Skiff API server ready at https://ADDR:PORT (kubeconfig: PATH)' when it serves."
    })
public final class ServerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "State directory: TLS material, the embedded database, tokens."
              + " Default: /var/lib/skiff as root, else ~/.skiff.")
  Path dataDir;

  @Option(
      names = "--bind-address",
      paramLabel = "ADDR",
      defaultValue = "0.0.0.0",
      description = "Address the API server listens on. Default: ${DEFAULT-VALUE}.")
  String bindAddress;

  @Option(
      names = "--https-port",
      paramLabel = "N",
      defaultValue = "6443",
      description = "HTTPS port of the API server. Default: ${DEFAULT-VALUE}.")
  int httpsPort;

  @Option(
      names = "--write-kubeconfig",
      paramLabel = "PATH",
      description = "Where to write the admin kubeconfig. Default: <data-dir>/admin.kubeconfig.")
  Path kubeconfig;

  @Option(
      names = "--datastore-endpoint",
      paramLabel = "URL",
      description =
          "sqlite:///PATH (default: <data-dir>/db/state.db), memory://,"
              + " etcd://HOST:PORT[,HOST:PORT...] or https://HOST:PORT[,...].")
  String datastoreEndpoint;

  @Option(
      names = "--etcd-cafile",
      paramLabel = "FILE",
      description = "CA certificate that signed etcd's serving certificate.")
  Path etcdCaFile;

  @Option(
      names = "--etcd-certfile",
      paramLabel = "FILE",
      description = "Client certificate for etcd.")
  Path etcdCertFile;

  @Option(names = "--etcd-keyfile", paramLabel = "FILE", description = "Client key for etcd.")
  Path etcdKeyFile;

  @Option(
      names = "--tls-san",
      paramLabel = "NAME",
      split = ",",
      description = "Extra host names or IPs for the serving certificate (repeatable).")
  List<String> tlsSans = new ArrayList<>();

  @Option(
      names = "--token-auth-file",
      paramLabel = "FILE",
      description = "Static bearer tokens, one per line: token,user,uid[,\"group1,group2\"].")
  Path tokenAuthFile;

  @Option(
      names = "--disable-agent",
      description = "Run the control plane only, without a node agent on this machine.")
  boolean disableAgent;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "The node join token (abcdef.0123456789abcdef); default: the one in <data-dir>/token,"
              + " made at first start.")
  String token;

  @Mixin AgentFlags node = new AgentFlags();

  @Option(
      names = "--disable-scheduler",
      description = "Do not run the scheduler in this server (run `skiff scheduler` elsewhere).")
  boolean disableScheduler;

  @Option(
      names = "--disable-controller-manager",
      description =
          "Do not run the controller manager in this server (run `skiff controller-manager`"
              + " elsewhere).")
  boolean disableControllerManager;

  @Option(
      names = "--use-service-account-credentials",
      arity = "0..1",
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run each controller as its own ServiceAccount kube-system/NAME with the role"
              + " system:controller:NAME (default true); false runs every controller as the"
              + " controller manager itself, with cluster-admin rights.")
  boolean useServiceAccountCredentials = true;

  @Option(
      names = "--anonymous-auth",
      arity = "0..1",
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Serve requests without credentials as system:anonymous, authorized by RBAC"
              + " (default true); false answers them 401 Unauthorized.")
  boolean anonymousAuth = true;

  @Option(
      names = "--disable-admission-plugins",
      split = ",",
      paramLabel = "PLUGIN",
      description =
          "Admission plugins not to run, comma-separated (e.g. ServiceAccount when no controller"
              + " manager creates the default service accounts).")
  List<String> disabledAdmissionPlugins = new ArrayList<>();

  @Option(
      names = "--service-cidr",
      paramLabel = "CIDR",
      defaultValue = ServiceNetwork.DEFAULT_SERVICE_CIDR,
      description =
          "The range Service cluster IPs come from; the kubernetes Service gets its first address"
              + " and, unless --cluster-dns says otherwise, kube-dns its tenth. Default:"
              + " ${DEFAULT-VALUE}.")
  String serviceCidr;

  @Option(
      names = "--disable",
      paramLabel = "COMPONENT",
      split = ",",
      description =
          "A packaged component not to run (repeatable, or comma-separated): servicelb, the"
              + " built-in service load balancer, so that another controller owns LoadBalancer"
              + " Services; local-storage, the default local-path StorageClass and its"
              + " provisioner.")
  List<String> disable = new ArrayList<>();

  @Option(
      names = "--default-local-storage-path",
      paramLabel = "DIR",
      description =
          "Where local-path volumes are made on the nodes, one directory per claim."
              + " Default: <data-dir>/storage.")
  Path defaultLocalStoragePath;

  @Option(
      names = "--secrets-encryption",
      description =
          "Encrypt secrets at rest with AES-GCM; the keys live in"
              + " <data-dir>/cred/encryption-config.json (see skiff secrets-encrypt).")
  boolean secretsEncryption;

  @Option(
      names = "--audit-log-path",
      paramLabel = "FILE",
      description =
          "Write an audit event (audit.k8s.io/v1, level Metadata) per request to this file, one"
              + " JSON object a line.")
  Path auditLogPath;

  @Option(
      names = "--audit-log-maxsize",
      paramLabel = "MB",
      defaultValue = "0",
      description =
          "Rotate the audit log when it would grow beyond this many megabytes (0: never).")
  long auditLogMaxSize;

  @Option(
      names = "--audit-log-maxbackup",
      paramLabel = "N",
      defaultValue = "0",
      description = "How many rotated audit log files to keep (0: all).")
  int auditLogMaxBackup;

  /** The audit log of --audit-log-path and its limits, or null without one. */
  AuditLogOptions auditLog() {
    return auditLogPath == null
        ? null
        : new AuditLogOptions(auditLogPath, auditLogMaxSize, auditLogMaxBackup);
  }

  /**
   * The components {@code --disable} accepts: servicelb (a controller) and local-storage (the
   * local-path StorageClass and provisioner).
   */
  static final List<String> DISABLEABLE =
      List.of(ServiceLoadBalancerControllers.NAME, LocalStorage.COMPONENT);

  /** The local-path volume directory, or empty when {@code --disable local-storage}. */
  Optional<Path> localStoragePath(Path dataDir) {
    return disable.contains(LocalStorage.COMPONENT)
        ? Optional.empty()
        : Optional.of(LocalStorage.storagePath(defaultLocalStoragePath, dataDir));
  }

  /** The service network of --service-cidr and --cluster-dns (default: the range's tenth IP). */
  ServiceNetwork serviceNetwork() {
    return ServiceNetwork.of(serviceCidr, node.clusterDns);
  }

  /** The controllers {@code --disable} turns off; an unknown component is refused. */
  List<String> disabledControllers() {
    for (String component : disable) {
      if (!DISABLEABLE.contains(component)) {
        throw new IllegalArgumentException(
            "--disable: unknown component "
                + component
                + " (skiff can disable: "
                + String.join(", ", DISABLEABLE)
                + ")");
      }
    }
    return disable.stream()
        .filter(component -> !component.equals(LocalStorage.COMPONENT))
        .distinct()
        .toList();
  }

  @Override
  public Integer call() throws Exception {
    ServiceNetwork network = serviceNetwork();
    List<String> disabledControllers = disabledControllers();
    // the local agent's kubelet gives pods the kube-dns Service's IP
    node.clusterDns = network.clusterDns();
    Path dir = dataDir != null ? dataDir : DataDirs.defaultDataDir();
    Path kubeconfigPath = kubeconfig != null ? kubeconfig : dir.resolve("admin.kubeconfig");
    Optional<Path> localStoragePath = localStoragePath(dir);
    ControlPlaneOptions options =
        new ControlPlaneOptions(
                dir,
                bindAddress,
                httpsPort,
                datastoreEndpoint,
                etcdCaFile,
                etcdCertFile,
                etcdKeyFile,
                tlsSans,
                kubeconfigPath)
            .withTokenAuthFile(tokenAuthFile)
            .withNodeToken(token)
            .withAnonymousAuth(anonymousAuth)
            .withDisabledAdmissionPlugins(disabledAdmissionPlugins.toArray(String[]::new))
            .withSecretsEncryption(secretsEncryption)
            .withAuditLog(auditLog());
    CountDownLatch stopped = new CountDownLatch(1);
    try (ControlPlane controlPlane = ControlPlane.start(options, network)) {
      System.out.println(
          "Skiff API server ready at https://"
              + hostForUrl(bindAddress)
              + ":"
              + controlPlane.port()
              + " (kubeconfig: "
              + kubeconfigPath
              + ")");
      System.out.flush();
      if (localStoragePath.isPresent()) {
        // beside the components, not before them: the first client in a cold JVM takes seconds,
        // and a claim made before the class exists still gets it (late default-class assignment)
        Thread.ofVirtual()
            .name("local-storage-class")
            .start(() -> ensureLocalStorageClass(controlPlane));
      }
      // the scheduler and controllers are API clients: they start once the API serves
      try (ControlPlaneComponents components =
              ControlPlaneComponents.start(
                  controlPlane,
                  !disableScheduler,
                  !disableControllerManager,
                  disabledControllers,
                  localStoragePath,
                  useServiceAccountCredentials);
          NodeAgent agent = disableAgent ? null : startLocalAgent(controlPlane, dir)) {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      if (agent != null) {
                        agent.close();
                      }
                      components.close();
                      controlPlane.close();
                      stopped.countDown();
                    },
                    "skiff-shutdown"));
        stopped.await();
      }
    }
    return 0;
  }

  /**
   * The packaged default StorageClass, made as the cluster admin (k3s applies it as a manifest).
   */
  private static void ensureLocalStorageClass(ControlPlane controlPlane) {
    Config config =
        Config.fromKubeconfig(
            controlPlane.componentKubeconfig("system:admin", List.of("system:masters")));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      LocalStorage.ensureStorageClass(client);
    } catch (RuntimeException e) {
      LOG.warn("event=local_storage_class_failed error=\"{}\"", e.getMessage());
    }
  }

  /**
   * The server's own node, joined with the server's token. A node that cannot start (not root, no
   * containerd) is reported on one line; the control plane keeps serving.
   */
  private NodeAgent startLocalAgent(ControlPlane controlPlane, Path dir) {
    try {
      return NodeAgent.start(
          node.options(controlPlane.url(), controlPlane.nodeToken().toString(), null, dir, true));
    } catch (RuntimeException e) {
      System.err.println(
          "skiff: the local agent did not start: "
              + e.getMessage()
              + " (run with --disable-agent for a control plane only)");
      return null;
    }
  }

  private static String hostForUrl(String address) {
    return address.contains(":") ? "[" + address + "]" : address;
  }
}
