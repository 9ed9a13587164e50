package dev.skiff.kubelet.prober;

import dev.skiff.kubelet.cri.ContainerIds;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.ExecSyncRequest;
import dev.skiff.kubelet.cri.v1.ExecSyncResponse;
import dev.skiff.kubelet.prober.health.v1.HealthCheckRequest;
import dev.skiff.kubelet.prober.health.v1.HealthCheckResponse;
import dev.skiff.kubelet.prober.health.v1.HealthGrpc;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.GRPCAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one probe of a container once with the handler it names (exec, httpGet, tcpSocket, grpc) and
 * says what happened, in Kubernetes' words. Holds no state between runs.
 */
final class Prober {
  /** The Kubernetes version the kubelet speaks for, in User-Agent headers. */
  static final String KUBE_VERSION = "1.32";

  static final String PROBE_USER_AGENT = "kube-probe/" + KUBE_VERSION;

  /** An exec probe's output is cut here. */
  static final int MAX_EXEC_OUTPUT = 10 * 1024;

  /** Extra gRPC deadline over an exec's own timeout, for the runtime to clean up (as CRI's). */
  static final long EXEC_GRACE_SECONDS = 120;

  private final CriClient cri;
  private final HttpGetClient http = new HttpGetClient();

  Prober(CriClient cri) {
    this.cri = cri;
  }

  ProbeResult run(Probe probe, Pod pod, Container container, String containerId, String podIp) {
    Duration timeout = Duration.ofSeconds(ProbeSpec.timeoutSeconds(probe));
    try {
      if (probe.getExec() != null) {
        return exec(probe.getExec(), containerId, timeout);
      }
      if (probe.getHttpGet() != null) {
        return httpGet(probe.getHttpGet(), container, podIp, timeout);
      }
      if (probe.getTcpSocket() != null) {
        return tcpSocket(probe.getTcpSocket(), container, podIp, timeout);
      }
      if (probe.getGrpc() != null) {
        return grpc(probe.getGrpc(), podIp, timeout);
      }
    } catch (ContainerPorts.InvalidPortException e) {
      return ProbeResult.error(e.getMessage());
    } catch (RuntimeException e) {
      return ProbeResult.error(String.valueOf(e.getMessage()));
    }
    return ProbeResult.error(
        "missing probe handler for " + podName(pod) + ":" + container.getName());
  }

  /** {@code name_namespace(uid)}, as Kubernetes prints a pod in messages. */
  static String podName(Pod pod) {
    return pod.getMetadata().getName()
        + "_"
        + pod.getMetadata().getNamespace()
        + "("
        + pod.getMetadata().getUid()
        + ")";
  }

  private ProbeResult exec(ExecAction action, String containerId, Duration timeout) {
    List<String> cmd = action.getCommand() == null ? List.of() : action.getCommand();
    try {
      ExecSyncResponse r =
          cri.runtime(timeout.toSeconds() + EXEC_GRACE_SECONDS)
              .execSync(
                  ExecSyncRequest.newBuilder()
                      .setContainerId(ContainerIds.bare(containerId))
                      .addAllCmd(cmd)
                      .setTimeout(timeout.toSeconds())
                      .build());
      String output = combined(r.getStdout().toByteArray(), r.getStderr().toByteArray());
      return r.getExitCode() == 0 ? ProbeResult.success(output) : ProbeResult.failure(output);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        return ProbeResult.failure("command " + goQuote(String.join(" ", cmd)) + " timed out");
      }
      return ProbeResult.error(GrpcErrors.format(e));
    }
  }

  /** stdout then stderr, at most {@link #MAX_EXEC_OUTPUT} bytes. */
  static String combined(byte[] stdout, byte[] stderr) {
    byte[] all = new byte[Math.min(MAX_EXEC_OUTPUT, stdout.length + stderr.length)];
    int n = Math.min(stdout.length, all.length);
    System.arraycopy(stdout, 0, all, 0, n);
    System.arraycopy(stderr, 0, all, n, Math.min(stderr.length, all.length - n));
    return new String(all, StandardCharsets.UTF_8);
  }

  private ProbeResult httpGet(
      HTTPGetAction action, Container container, String podIp, Duration timeout)
      throws ContainerPorts.InvalidPortException {
    HttpGetClient.Request request =
        httpRequest(action, container, podIp, PROBE_USER_AGENT, timeout);
    HttpGetClient.Response response;
    try {
      response = http.get(request);
    } catch (HttpGetClient.HttpGetException e) {
      return ProbeResult.failure(e.getMessage());
    }
    int code = response.status();
    if (code >= 200 && code < 400) {
      if (code >= 300) {
        return ProbeResult.warning("Probe terminated redirects, Response body: " + response.body());
      }
      return ProbeResult.success(response.body());
    }
    return ProbeResult.failure("HTTP probe failed with statuscode: " + code);
  }

  /** The request an httpGet action makes, as Kubernetes builds it for probes and hooks. */
  static HttpGetClient.Request httpRequest(
      HTTPGetAction action, Container container, String podIp, String userAgent, Duration timeout)
      throws ContainerPorts.InvalidPortException {
    String scheme =
        action.getScheme() == null ? "http" : action.getScheme().toLowerCase(Locale.ROOT);
    String host = action.getHost() == null || action.getHost().isEmpty() ? podIp : action.getHost();
    int port = ContainerPorts.resolve(action.getPort(), container);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    boolean userAgentSet = false;
    boolean acceptSet = false;
    if (action.getHttpHeaders() != null) {
      for (HTTPHeader h : action.getHttpHeaders()) {
        if (h.getName() == null) {
          continue;
        }
        String value = h.getValue() == null ? "" : h.getValue();
        userAgentSet |= h.getName().equalsIgnoreCase("User-Agent");
        if (h.getName().equalsIgnoreCase("Accept")) {
          acceptSet = true;
          if (value.isEmpty()) {
            continue; // an empty Accept header removes the default
          }
        }
        headers.add(new AbstractMap.SimpleImmutableEntry<>(h.getName(), value));
      }
    }
    if (!userAgentSet) {
      headers.add(new AbstractMap.SimpleImmutableEntry<>("User-Agent", userAgent));
    }
    if (!acceptSet) {
      headers.add(new AbstractMap.SimpleImmutableEntry<>("Accept", "*/*"));
    }
    return new HttpGetClient.Request(
        scheme, host == null ? "" : host, port, action.getPath(), headers, timeout, false);
  }

  private ProbeResult tcpSocket(
      TCPSocketAction action, Container container, String podIp, Duration timeout)
      throws ContainerPorts.InvalidPortException {
    int port = ContainerPorts.resolve(action.getPort(), container);
    String host = action.getHost() == null || action.getHost().isEmpty() ? podIp : action.getHost();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return ProbeResult.success("");
    } catch (IOException e) {
      return ProbeResult.failure(NetErrors.dial(host, port, e));
    }
  }

  private ProbeResult grpc(GRPCAction action, String podIp, Duration timeout)
      throws ContainerPorts.InvalidPortException {
    int port = action.getPort() == null ? 0 : action.getPort();
    if (port <= 0 || port >= 65536) {
      throw new ContainerPorts.InvalidPortException("invalid port number: " + port);
    }
    String service = action.getService() == null ? "" : action.getService();
    String addr = NetErrors.joinHostPort(podIp, port);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(podIp, port)
            .usePlaintext()
            .userAgent(PROBE_USER_AGENT)
            .build();
    try {
      HealthCheckResponse r =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build());
      if (r.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
        return ProbeResult.failure(
            "service unhealthy (responded with \"" + r.getStatus().name() + "\")");
      }
      return ProbeResult.success("service healthy");
    } catch (StatusRuntimeException e) {
      return switch (e.getStatus().getCode()) {
        case UNIMPLEMENTED ->
            ProbeResult.failure(
                "error: this server does not implement the grpc health protocol"
                    + " (grpc.health.v1.Health): "
                    + (e.getStatus().getDescription() == null
                        ? ""
                        : e.getStatus().getDescription()));
        case DEADLINE_EXCEEDED ->
            ProbeResult.failure(
                "timeout: health rpc did not complete within " + goDuration(timeout));
        default -> ProbeResult.failure("error: health rpc probe failed: " + GrpcErrors.format(e));
      };
    } finally {
      channel.shutdownNow();
    }
  }

  /** Go's %v of a whole-second duration: {@code 1s}, {@code 1m30s}. */
  static String goDuration(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    return (h > 0 ? h + "h" : "") + m + "m" + sec + "s";
  }

  /** Go's %q of a string. */
  static String goQuote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
