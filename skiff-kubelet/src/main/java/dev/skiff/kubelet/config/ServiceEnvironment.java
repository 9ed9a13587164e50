package dev.skiff.kubelet.config;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service environment variables Kubernetes gives every container: {@code {NAME}_SERVICE_HOST},
 * {@code _SERVICE_PORT}, {@code _SERVICE_PORT_{PORTNAME}} and the Docker link variables ({@code
 * {NAME}_PORT}, {@code _PORT_{port}_{PROTO}} with {@code _PROTO}, {@code _PORT}, {@code _ADDR}),
 * for the services of the pod's namespace when service links are enabled, and always for the API
 * server's {@code kubernetes} service in {@code default}.
 */
public final class ServiceEnvironment {
  static final String MASTER_NAMESPACE = "default";
  static final String MASTER_SERVICE = "kubernetes";

  private ServiceEnvironment() {}

  /**
   * @param namespaceServices the services of the pod's namespace
   * @param defaultServices the services of {@code default} (only {@code kubernetes} is used)
   */
  public static Map<String, String> forPod(
      String namespace,
      boolean enableServiceLinks,
      List<Service> namespaceServices,
      List<Service> defaultServices) {
    Map<String, Service> byName = new TreeMap<>();
    for (Service service : defaultServices) {
      if (MASTER_SERVICE.equals(service.getMetadata().getName()) && hasClusterIp(service)) {
        byName.put(MASTER_SERVICE, service);
      }
    }
    if (enableServiceLinks) {
      for (Service service : namespaceServices) {
        if (hasClusterIp(service) && namespace.equals(service.getMetadata().getNamespace())) {
          byName.put(service.getMetadata().getName(), service);
        }
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (Service service : byName.values()) {
      env.putAll(fromService(service));
    }
    return env;
  }

  /** The variables of one service with a cluster IP. */
  public static Map<String, String> fromService(Service service) {
    Map<String, String> env = new LinkedHashMap<>();
    String prefix = variableName(service.getMetadata().getName());
    String clusterIp = service.getSpec().getClusterIP();
    List<ServicePort> ports =
        service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
    env.put(prefix + "_SERVICE_HOST", clusterIp);
    if (!ports.isEmpty()) {
      String portVar = prefix + "_SERVICE_PORT";
      env.put(portVar, String.valueOf(ports.get(0).getPort()));
      for (ServicePort port : ports) {
        if (port.getName() != null && !port.getName().isEmpty()) {
          env.put(portVar + "_" + variableName(port.getName()), String.valueOf(port.getPort()));
        }
      }
    }
    for (int i = 0; i < ports.size(); i++) {
      ServicePort port = ports.get(i);
      String protocol =
          port.getProtocol() == null || port.getProtocol().isEmpty() ? "TCP" : port.getProtocol();
      String lower = protocol.toLowerCase(Locale.ROOT);
      String url = lower + "://" + joinHostPort(clusterIp, port.getPort());
      if (i == 0) {
        env.put(prefix + "_PORT", url);
      }
      String portPrefix =
          prefix + "_PORT_" + port.getPort() + "_" + protocol.toUpperCase(Locale.ROOT);
      env.put(portPrefix, url);
      env.put(portPrefix + "_PROTO", lower);
      env.put(portPrefix + "_PORT", String.valueOf(port.getPort()));
      env.put(portPrefix + "_ADDR", clusterIp);
    }
    return env;
  }

  static String variableName(String name) {
    return name.replace('-', '_').toUpperCase(Locale.ROOT);
  }

  private static String joinHostPort(String host, Integer port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static boolean hasClusterIp(Service service) {
    String ip = service.getSpec() == null ? null : service.getSpec().getClusterIP();
    return ip != null && !ip.isEmpty() && !"None".equals(ip);
  }
}
