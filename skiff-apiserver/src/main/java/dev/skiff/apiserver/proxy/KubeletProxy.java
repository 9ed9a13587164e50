package dev.skiff.apiserver.proxy;

import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.pki.ClusterPki;
import java.time.InstantSource;

/**
 * Everything the API server reaches through kubelets, assembled: the kubelet-served subresources
 * and proxies ({@link KubeletProxyHandler}) and the metrics.k8s.io API ({@link MetricsHandler})
 * with its scraper. Toward kubelets it authenticates with {@link
 * ClusterPki#kubeletClientCertificate()}.
 */
public final class KubeletProxy implements ApiHandler, AutoCloseable {
  private final BackendHttp http;
  private final BackendHttp insecureHttp;
  private final UpgradeDialer dialer;
  private final ResourceMetricsScraper scraper;
  private final KubeletProxyHandler proxies;
  private final MetricsHandler metrics;

  private KubeletProxy(ApiHandler registry, ClusterPki pki, InstantSource clock) {
    KubeletTls tls = KubeletTls.from(pki);
    ClusterObjects objects = new ClusterObjects(registry);
    this.http = new BackendHttp(tls.jdk());
    this.insecureHttp = new BackendHttp(KubeletTls.insecure(pki).jdk());
    this.dialer = new UpgradeDialer(tls.netty());
    this.scraper = new ResourceMetricsScraper(objects, http, clock);
    this.proxies = new KubeletProxyHandler(objects, http, insecureHttp, dialer);
    this.metrics = new MetricsHandler(objects, scraper, clock);
  }

  /**
   * Starts the proxy and its metrics scraper.
   *
   * @param registry the resource registry, read as the API server itself (pods, nodes, services,
   *     endpoint slices)
   */
  public static KubeletProxy start(ApiHandler registry, ClusterPki pki) {
    KubeletProxy proxy = new KubeletProxy(registry, pki, InstantSource.system());
    proxy.scraper.start();
    return proxy;
  }

  /** True for the paths served here (pods/log, exec, proxies, metrics.k8s.io resources). */
  public static boolean handles(String path) {
    return KubeletProxyHandler.handles(path) || MetricsHandler.handles(path);
  }

  /** {@code catalog} plus metrics.k8s.io/v1beta1 nodes and pods, for discovery documents. */
  public static ResourceCatalog withMetricsApi(ResourceCatalog catalog) {
    return catalog.withTypes(MetricsHandler.TYPES);
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    return MetricsHandler.handles(request.path())
        ? metrics.handle(request)
        : proxies.handle(request);
  }

  @Override
  public void close() {
    scraper.close();
    dialer.close();
    http.close();
    insecureHttp.close();
  }
}
