package dev.skiff.apiserver;

import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.audit.AuditLog;
import dev.skiff.apiserver.auth.BootstrapToken;
import dev.skiff.apiserver.auth.NodeTokenFile;
import dev.skiff.apiserver.auth.Security;
import dev.skiff.apiserver.auth.SecurityOptions;
import dev.skiff.apiserver.auth.ServiceAccountTokens;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.componentstatus.ComponentStatusHandler;
import dev.skiff.apiserver.discovery.DiscoveryHandler;
import dev.skiff.apiserver.encryption.EncryptionConfig;
import dev.skiff.apiserver.encryption.SecretsEncryption;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.openapi.OpenApiHandler;
import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.IssuedCertificate;
import dev.skiff.apiserver.pki.KubeconfigWriter;
import dev.skiff.apiserver.proxy.KubeletProxy;
import dev.skiff.apiserver.rest.RegistryOptions;
import dev.skiff.apiserver.rest.ResourceHandler;
import dev.skiff.apiserver.server.ApiServer;
import dev.skiff.apiserver.server.ApiServerOptions;
import dev.skiff.apiserver.server.HealthChecks;
import dev.skiff.apiserver.server.ServerTls;
import dev.skiff.apiserver.server.VersionInfo;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreOptions;
import dev.skiff.storage.Stores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server assembled: datastore, PKI, registry, discovery, OpenAPI and the HTTPS transport.
 * {@code skiff server} and the in-process test cluster both start one.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  private final ControlPlaneOptions options;
  private final Store store;
  private final ClusterPki pki;
  private final ResourceHandler resources;
  private final ApiServer server;
  private final Security security;
  private final KubeletProxy kubelets;
  private boolean closed;

  private ControlPlane(
      ControlPlaneOptions options,
      Store store,
      ClusterPki pki,
      ResourceHandler resources,
      ApiServer server,
      Security security,
      KubeletProxy kubelets) {
    this.options = options;
    this.store = store;
    this.pki = pki;
    this.resources = resources;
    this.server = server;
    this.security = security;
    this.kubelets = kubelets;
  }

  /**
   * Starts everything and writes the admin kubeconfig; on failure closes what was started and
   * throws with a one-line message (port in use, unwritable data dir, unreachable datastore).
   */
  public static ControlPlane start(ControlPlaneOptions options) {
    return start(options, ServiceNetwork.defaults());
  }

  /**
   * Starts as {@link #start(ControlPlaneOptions)} with this service network: cluster IPs from its
   * range, the kubernetes Service at its first address and the kube-dns Service at its cluster DNS
   * IP ({@code --service-cidr}, {@code --cluster-dns}).
   */
  public static ControlPlane start(ControlPlaneOptions options, ServiceNetwork network) {
    long started = System.nanoTime();
    prepareDataDir(options.dataDir());
    Store store = openStore(options);
    long storeOpened = System.nanoTime();
    ResourceHandler resources = null;
    ApiServer server = null;
    Security security = null;
    KubeletProxy kubelets = null;
    try {
      ClusterPki pki = ClusterPki.loadOrCreate(options.dataDir(), options.tlsSans());
      BootstrapToken nodeToken =
          NodeTokenFile.loadOrCreate(
              options.dataDir(), options.nodeToken(), pki.caCertificatePem());
      long pkiLoaded = System.nanoTime();
      ResourceCatalog catalog = ResourceCatalog.builtIn();
      resources =
          new ResourceHandler(
              store, catalog, RegistryOptions.defaults().withServiceCidr(network.serviceCidr()));
      resources.bootstrap();
      long registryReady = System.nanoTime();
      String[] address = new String[1];
      security =
          Security.start(
              store,
              resources,
              new SecurityOptions(
                  pki.directory(),
                  options.tokenAuthFile(),
                  ServiceAccountTokens.DEFAULT_ISSUER,
                  () -> "https://" + address[0],
                  pki,
                  nodeToken,
                  options.anonymousAuth(),
                  options.disabledAdmissionPlugins()));
      HealthChecks health = new HealthChecks();
      health.addLivenessCheck("etcd", store::currentRevision);
      OpenApiHandler openApi = new OpenApiHandler(() -> catalog, VersionInfo.GIT_VERSION);
      kubelets = KubeletProxy.start(resources, pki);
      ResourceCatalog discovered = KubeletProxy.withMetricsApi(catalog);
      ApiRouter router =
          new ApiRouter(
              new DiscoveryHandler(() -> discovered, () -> address[0]),
              openApi,
              new ComponentStatusHandler(LeaseProbes.of(store, InstantSource.system())),
              kubelets,
              resources);
      server =
          new ApiServer(
              new ApiServerOptions(options.bindAddress(), options.port()),
              ServerTls.fromPki(pki),
              security.wrap(router),
              health,
              security.authenticator(),
              security.authorizer(),
              options.auditLog() == null ? null : AuditLog.open(options.auditLog()));
      long securityReady = System.nanoTime();
      server.start();
      log.info(
          "event=control_plane_started store_ms={} pki_ms={} registry_ms={} security_ms={}"
              + " listen_ms={}",
          millis(started, storeOpened),
          millis(storeOpened, pkiLoaded),
          millis(pkiLoaded, registryReady),
          millis(registryReady, securityReady),
          millis(securityReady, System.nanoTime()));
      address[0] = clientHost(options.bindAddress()) + ":" + server.port();
      Loopback loopback = new Loopback(resources);
      KubernetesService.ensure(
          loopback,
          network.kubernetesServiceIp(),
          KubernetesService.advertiseAddress(options.bindAddress()),
          server.port());
      ClusterDnsService.ensure(loopback, network.clusterDns());
      warmUp(openApi);
      ControlPlane controlPlane =
          new ControlPlane(options, store, pki, resources, server, security, kubelets);
      KubeconfigWriter.writeAdmin(options.kubeconfig(), controlPlane.url(), pki);
      return controlPlane;
    } catch (RuntimeException e) {
      if (server != null) {
        server.close();
      }
      if (security != null) {
        security.close();
      }
      if (kubelets != null) {
        kubelets.close();
      }
      if (resources != null) {
        resources.close();
      }
      store.close();
      throw e;
    }
  }

  /**
   * Builds the OpenAPI documents in the background: the first kubectl apply or explain would
   * otherwise wait seconds for them.
   */
  private static void warmUp(OpenApiHandler openApi) {
    Thread.ofVirtual()
        .name("openapi-warmup")
        .start(
            () ->
                openApi.handle(
                    new ApiRequest(
                        "GET",
                        "/openapi/v3",
                        Map.of(),
                        Map.of("accept", List.of("application/json")),
                        new byte[0],
                        UserInfo.ANONYMOUS,
                        false)));
  }

  private static long millis(long from, long to) {
    return (to - from) / 1_000_000;
  }

  /**
   * The datastore, behind encryption at rest when {@code --secrets-encryption} is on (then
   * everything above sees plain values and the backend keeps ciphertext).
   */
  private static Store openStore(ControlPlaneOptions options) {
    Store raw = Stores.open(options.datastoreEndpoint(), storeOptions(options));
    if (!options.secretsEncryption()) {
      if (Files.exists(EncryptionConfig.path(options.dataDir()))) {
        // secrets written while the flag was on stay ciphertext: reading them fails
        log.warn(
            "event=secrets_encryption_off config={} reason=\"the data directory has an encryption"
                + " configuration but --secrets-encryption is not set\"",
            EncryptionConfig.path(options.dataDir()));
      }
      return raw;
    }
    try {
      return SecretsEncryption.start(
              options.dataDir(), raw, SecretsEncryption.DEFAULT_POLL_INTERVAL)
          .store();
    } catch (RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  private static StoreOptions storeOptions(ControlPlaneOptions options) {
    return StoreOptions.defaults(options.dataDir())
        .withEtcdTls(options.etcdCaFile(), options.etcdCertFile(), options.etcdKeyFile());
  }

  private static void prepareDataDir(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dataDir + ": " + e, e);
    }
    if (!Files.isWritable(dataDir)) {
      throw new IllegalStateException("data directory " + dataDir + " is not writable");
    }
  }

  /** The address clients should use: loopback when the server listens on every address. */
  private static String clientHost(String bindAddress) {
    if (bindAddress.isEmpty() || bindAddress.equals("0.0.0.0")) {
      return "127.0.0.1";
    }
    if (bindAddress.equals("::")) {
      return "[::1]";
    }
    return bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress;
  }

  public int port() {
    return server.port();
  }

  /** The URL clients use, e.g. https://127.0.0.1:6443. */
  public String url() {
    return "https://" + clientHost(options.bindAddress()) + ":" + port();
  }

  public Path kubeconfig() {
    return options.kubeconfig();
  }

  public ClusterPki pki() {
    return pki;
  }

  /** Authentication, authorization (RBAC, node) and the security APIs of this server. */
  public Security security() {
    return security;
  }

  /** The token agents join with (also in {@code <data-dir>/token}). */
  public BootstrapToken nodeToken() {
    return security.nodeToken();
  }

  /**
   * A kubeconfig (YAML text) for a component of ours that runs with its own identity, e.g. user
   * {@code system:kube-scheduler}: a fresh client certificate from the cluster CA.
   */
  public String componentKubeconfig(String user, List<String> groups) {
    IssuedCertificate credentials =
        pki.issueClientCertificate(user, groups, ClusterPki.LEAF_VALIDITY);
    return KubeconfigWriter.render(url(), pki.caCertificatePem(), user, credentials);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close();
    kubelets.close();
    security.close();
    resources.close();
    store.close();
  }
}
