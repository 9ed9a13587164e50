package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves the subresources that live behind kubelets and pods: pods/log, pods/exec, pods/attach,
 * pods/portforward, and the proxies nodes/proxy, pods/proxy and services/proxy. Requests arrive
 * here already authenticated and authorized (with these subresource names).
 */
final class KubeletProxyHandler implements ApiHandler {
  private static final Pattern POD =
      Pattern.compile(
          "^/api/v1/namespaces/([^/]+)/pods/([^/]+)/(log|exec|attach|portforward|proxy)(/.*)?$");
  private static final Pattern NODE = Pattern.compile("^/api/v1/nodes/([^/]+)/proxy(/.*)?$");
  private static final Pattern SERVICE =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/services/([^/]+)/proxy(/.*)?$");
  private static final Set<String> LOG_PARAMS =
      Set.of("sinceSeconds", "sinceTime", "timestamps", "tailLines", "limitBytes");
  private static final String DIALING = "error dialing backend";
  private static final String REACHING = "error trying to reach service";

  private final ClusterObjects objects;
  private final BackendHttp http;
  private final BackendHttp insecureHttp;
  private final UpgradeDialer dialer;

  KubeletProxyHandler(
      ClusterObjects objects, BackendHttp http, BackendHttp insecureHttp, UpgradeDialer dialer) {
    this.objects = objects;
    this.http = http;
    this.insecureHttp = insecureHttp;
    this.dialer = dialer;
  }

  /** True for the paths this handler serves. */
  static boolean handles(String path) {
    return POD.matcher(path).matches()
        || NODE.matcher(path).matches()
        || SERVICE.matcher(path).matches();
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    String path = request.path();
    Matcher pod = POD.matcher(path);
    if (pod.matches()) {
      String namespace = pod.group(1);
      String name = pod.group(2);
      String rest = pod.group(4);
      return switch (pod.group(3)) {
        case "log" -> rest == null ? log(request, namespace, name) : notFound();
        case "exec", "attach" ->
            rest == null ? stream(request, namespace, name, pod.group(3)) : notFound();
        case "portforward" -> rest == null ? portForward(request, namespace, name) : notFound();
        default -> podProxy(request, namespace, ProxyTarget.parse(name), rest);
      };
    }
    Matcher node = NODE.matcher(path);
    if (node.matches()) {
      return nodeProxy(request, ProxyTarget.parse(node.group(1)), node.group(2));
    }
    Matcher service = SERVICE.matcher(path);
    if (service.matches()) {
      return serviceProxy(
          request, service.group(1), ProxyTarget.parse(service.group(2)), service.group(3));
    }
    return notFound();
  }

  private static ApiResponse notFound() {
    throw new ApiException(
        404,
        "NotFound",
        "the server could not find the requested resource",
        new ApiException.Details(null, null, null, null, null));
  }

  // ---- pods/log

  private ApiResponse log(ApiRequest request, String namespace, String name) {
    requireMethod(request, "GET", "HEAD");
    ObjectNode pod = pod(namespace, name);
    String container = PodContainers.choose(pod, request.param("container"));
    boolean previous = isTrue(request.param("previous"));
    boolean follow = isTrue(request.param("follow"));
    validateLogOptions(request);
    PodContainers.requireLogs(pod, container, previous);
    KubeletEndpoint kubelet = kubeletOf(pod);
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (follow) {
      query.put("follow", List.of("true"));
    }
    if (previous) {
      query.put("previous", List.of("true"));
    }
    for (String param : LOG_PARAMS) {
      String value = request.param(param);
      if (value != null && !value.isEmpty()) {
        query.put(param, List.of(value));
      }
    }
    URI uri =
        uri(kubelet.baseUrl(), "/containerLogs/" + namespace + "/" + name + "/" + container, query);
    BackendHttp client =
        isTrue(request.param("insecureSkipTLSVerifyBackend")) ? insecureHttp : http;
    HttpResponse<InputStream> response =
        client.send("GET", uri, Map.of(), new byte[0], null, DIALING);
    if (response.statusCode() < 200 || response.statusCode() > 206) {
      throw BackendErrors.fromResponse(
          response.statusCode(),
          response.headers().firstValue("content-type").orElse(""),
          BackendHttp.errorText(response));
    }
    return new ApiResponse.Stream(
        200, "text/plain", Map.of(), BackendHttp.copying(response.body()));
  }

  /** The numeric log options, checked as PodLogOptions validation does (422 Invalid). */
  private static void validateLogOptions(ApiRequest request) {
    List<ApiException.Cause> causes = new ArrayList<>();
    Long sinceSeconds = number(request, "sinceSeconds");
    Long tailLines = number(request, "tailLines");
    Long limitBytes = number(request, "limitBytes");
    if (sinceSeconds != null && sinceSeconds < 1) {
      causes.add(cause("sinceSeconds", sinceSeconds, "must be greater than 0"));
    }
    if (sinceSeconds != null && request.param("sinceTime") != null) {
      causes.add(
          new ApiException.Cause(
              "FieldValueForbidden",
              "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified",
              ""));
    }
    if (tailLines != null && tailLines < 0) {
      causes.add(cause("tailLines", tailLines, "must be greater than or equal to 0"));
    }
    if (limitBytes != null && limitBytes < 1) {
      causes.add(cause("limitBytes", limitBytes, "must be greater than 0"));
    }
    if (!causes.isEmpty()) {
      throw ApiException.invalid("", "PodLogOptions", "", causes);
    }
  }

  private static ApiException.Cause cause(String field, long value, String detail) {
    return new ApiException.Cause(
        "FieldValueInvalid", "Invalid value: " + value + ": " + detail, field);
  }

  private static Long number(ApiRequest request, String param) {
    String value = request.param(param);
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(
          "invalid value for "
              + param
              + ": strconv.ParseInt: parsing \""
              + value
              + "\": invalid syntax");
    }
  }

  // ---- pods/exec, pods/attach, pods/portforward

  private ApiResponse stream(ApiRequest request, String namespace, String name, String kind) {
    requireMethod(request, "GET", "POST");
    ObjectNode pod = pod(namespace, name);
    String container = PodContainers.choose(pod, request.param("container"));
    requireUpgrade(request);
    KubeletEndpoint kubelet = kubeletOf(pod);
    Map<String, List<String>> query = new LinkedHashMap<>();
    // PodExecOptions/PodAttachOptions as the kubelet's streaming server names them
    Map<String, String> flags =
        Map.of("stdin", "input", "stdout", "output", "stderr", "error", "tty", "tty");
    for (String flag : List.of("stdin", "stdout", "stderr", "tty")) {
      if (isTrue(request.param(flag))) {
        query.put(flags.get(flag), List.of("1"));
      }
    }
    if (kind.equals("exec")) {
      List<String> command = request.query().getOrDefault("command", List.of());
      if (command.isEmpty()) {
        throw ApiException.badRequest("you must specify at least 1 command");
      }
      query.put("command", command);
    }
    String path = "/" + kind + "/" + namespace + "/" + name + "/" + container;
    return upgrade(request, true, kubelet.host(), kubelet.port(), path, query, DIALING, true);
  }

  private ApiResponse portForward(ApiRequest request, String namespace, String name) {
    requireMethod(request, "GET", "POST");
    ObjectNode pod = pod(namespace, name);
    requireUpgrade(request);
    KubeletEndpoint kubelet = kubeletOf(pod);
    Map<String, List<String>> query = new LinkedHashMap<>();
    // PodPortForwardOptions.ports become the kubelet's repeated "port" parameter
    List<String> ports = new ArrayList<>();
    for (String value : request.query().getOrDefault("ports", List.of())) {
      for (String port : value.split(",")) {
        if (!port.isBlank()) {
          ports.add(port.strip());
        }
      }
    }
    if (!ports.isEmpty()) {
      query.put("port", ports);
    }
    String path = "/portForward/" + namespace + "/" + name;
    return upgrade(request, true, kubelet.host(), kubelet.port(), path, query, DIALING, true);
  }

  private static void requireUpgrade(ApiRequest request) {
    if (!isUpgrade(request)) {
      throw ApiException.badRequest("Upgrade request required");
    }
  }

  // ---- proxies

  private ApiResponse nodeProxy(ApiRequest request, ProxyTarget target, String rest) {
    JsonNode node = objects.get("/api/v1/nodes/" + target.name());
    KubeletEndpoint kubelet = KubeletEndpoint.of(node);
    int port = target.port().isEmpty() ? kubelet.port() : portNumber(target.port());
    return proxy(request, target.schemeOr("https"), kubelet.host(), port, rest, DIALING);
  }

  private ApiResponse podProxy(
      ApiRequest request, String namespace, ProxyTarget target, String rest) {
    ObjectNode pod = pod(namespace, target.name());
    String ip = pod.path("status").path("podIP").asString("");
    if (ip.isEmpty()) {
      throw ApiException.serviceUnavailable(
          "pod " + target.name() + " does not have an IP address yet");
    }
    int port = target.port().isEmpty() ? 80 : containerPort(pod, target.port());
    return proxy(request, target.schemeOr("http"), ip, port, rest, REACHING);
  }

  private ApiResponse serviceProxy(
      ApiRequest request, String namespace, ProxyTarget target, String rest) {
    ObjectNode service =
        objects.get("/api/v1/namespaces/" + namespace + "/services/" + target.name());
    JsonNode servicePort = null;
    for (JsonNode port : service.path("spec").path("ports")) {
      if (target.port().isEmpty()
          || target.port().equals(port.path("name").asString(""))
          || target.port().equals(Integer.toString(port.path("port").asInt()))) {
        servicePort = port;
        break;
      }
    }
    if (servicePort == null) {
      throw ApiException.serviceUnavailable(
          "no service port \"" + target.port() + "\" found for service \"" + target.name() + "\"");
    }
    String portName = servicePort.path("name").asString("");
    List<String[]> ready = new ArrayList<>();
    for (ObjectNode slice :
        objects.list(
            "/apis/discovery.k8s.io/v1/namespaces/" + namespace + "/endpointslices",
            "kubernetes.io/service-name=" + target.name())) {
      int port = -1;
      for (JsonNode p : slice.path("ports")) {
        if (portName.equals(p.path("name").asString(""))) {
          port = p.path("port").asInt(-1);
        }
      }
      if (port <= 0) {
        continue;
      }
      for (JsonNode endpoint : slice.path("endpoints")) {
        JsonNode readyCondition = endpoint.path("conditions").path("ready");
        if (readyCondition.isMissingNode()
            || readyCondition.isNull()
            || readyCondition.asBoolean(false)) {
          for (JsonNode address : endpoint.path("addresses")) {
            ready.add(new String[] {address.asString(""), Integer.toString(port)});
          }
        }
      }
    }
    if (ready.isEmpty()) {
      throw ApiException.serviceUnavailable(
          "no endpoints available for service \"" + target.name() + "\"");
    }
    String[] chosen = ready.get(ThreadLocalRandom.current().nextInt(ready.size()));
    return proxy(
        request, target.schemeOr("http"), chosen[0], Integer.parseInt(chosen[1]), rest, REACHING);
  }

  /** Forwards a request (any method) to {@code scheme://host:port/rest}. */
  private ApiResponse proxy(
      ApiRequest request, String scheme, String host, int port, String rest, String unreachable) {
    String path = rest == null || rest.isEmpty() ? "/" : rest;
    if (isUpgrade(request)) {
      // a backend that does not switch answers the client as it is, like any proxied response
      return upgrade(
          request, scheme.equals("https"), host, port, path, request.query(), unreachable, false);
    }
    String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    URI uri = uri(scheme + "://" + hostPort, path, request.query());
    HttpResponse<InputStream> response =
        http.send(
            request.method(),
            uri,
            ForwardedHeaders.request(request.headers()),
            request.body(),
            null,
            unreachable);
    return BackendHttp.passThrough(response);
  }

  private ApiResponse upgrade(
      ApiRequest request,
      boolean https,
      String host,
      int port,
      String path,
      Map<String, List<String>> query,
      String unreachable,
      boolean refusalIsError) {
    String pathAndQuery = uri("http://" + hostPortOf(host, port), path, query).getRawPath();
    String rawQuery = uri("http://" + hostPortOf(host, port), path, query).getRawQuery();
    if (rawQuery != null) {
      pathAndQuery += "?" + rawQuery;
    }
    return dialer.dial(
        https,
        host,
        port,
        request.method(),
        pathAndQuery,
        ForwardedHeaders.upgradeRequest(request.headers()),
        request.body(),
        unreachable,
        refusal -> {
          if (refusalIsError) {
            throw BackendErrors.fromResponse(
                refusal.status(), refusal.contentType(), refusal.body());
          }
          return new ApiResponse.Full(
              refusal.status(),
              refusal.contentType().isEmpty() ? null : refusal.contentType(),
              refusal.body().getBytes(StandardCharsets.UTF_8));
        });
  }

  // ---- helpers

  private ObjectNode pod(String namespace, String name) {
    return objects.get("/api/v1/namespaces/" + namespace + "/pods/" + name);
  }

  private KubeletEndpoint kubeletOf(JsonNode pod) {
    String node = pod.path("spec").path("nodeName").asString("");
    if (node.isEmpty()) {
      throw ApiException.badRequest(
          "pod "
              + pod.path("metadata").path("name").asString("")
              + " does not have a host assigned");
    }
    return KubeletEndpoint.of(objects.get("/api/v1/nodes/" + node));
  }

  private static int containerPort(JsonNode pod, String port) {
    for (JsonNode container : pod.path("spec").path("containers")) {
      for (JsonNode p : container.path("ports")) {
        if (port.equals(p.path("name").asString(""))) {
          return p.path("containerPort").asInt();
        }
      }
    }
    return portNumber(port);
  }

  private static int portNumber(String port) {
    try {
      int number = Integer.parseInt(port);
      if (number > 0 && number <= 65535) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest("invalid port: " + port);
  }

  private static void requireMethod(ApiRequest request, String... methods) {
    for (String method : methods) {
      if (method.equals(request.method())) {
        return;
      }
    }
    throw ApiException.methodNotAllowed(
        "the server does not allow this method on the requested resource");
  }

  /**
   * True for a protocol switch the proxy relays (SPDY, WebSocket). An HTTP/2 cleartext upgrade
   * offer (h2c, as the JDK client sends over plain HTTP, e.g. through kubectl proxy) is not one:
   * the request is proxied as plain HTTP/1.1.
   */
  static boolean isUpgrade(ApiRequest request) {
    String connection = request.header("connection");
    String upgrade = request.header("upgrade");
    return upgrade != null
        && !upgrade.equalsIgnoreCase("h2c")
        && connection != null
        && connection.toLowerCase(Locale.ROOT).contains("upgrade");
  }

  private static boolean isTrue(String value) {
    return value != null && (value.equals("true") || value.equals("1"));
  }

  private static String hostPortOf(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** {@code base + path} with the path quoted where needed and the query encoded. */
  static URI uri(String base, String path, Map<String, List<String>> query) {
    try {
      URI origin = new URI(base);
      URI withPath =
          new URI(origin.getScheme(), null, origin.getHost(), origin.getPort(), path, null, null);
      StringBuilder text = new StringBuilder(withPath.toASCIIString());
      String separator = "?";
      for (Map.Entry<String, List<String>> param : query.entrySet()) {
        for (String value : param.getValue()) {
          text.append(separator)
              .append(URLEncoder.encode(param.getKey(), StandardCharsets.UTF_8))
              .append('=')
              .append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
          separator = "&";
        }
      }
      return URI.create(text.toString());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw ApiException.badRequest("invalid proxy path " + path + ": " + e.getMessage());
    }
  }
}
