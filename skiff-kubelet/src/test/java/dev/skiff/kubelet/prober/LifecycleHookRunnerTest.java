package dev.skiff.kubelet.prober;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.skiff.kubelet.pod.PodConfigException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.grpc.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LifecycleHookRunnerTest {
  static final String POD_NAME = "web-pod_default(uid-1)";

  FakeRuntime runtime;
  RecordingEvents events;
  List<Duration> sleeps;
  LifecycleHookRunner hooks;
  HttpServer http;
  int port;
  final Map<String, String> agents = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() throws IOException {
    runtime = new FakeRuntime();
    events = new RecordingEvents();
    sleeps = new CopyOnWriteArrayList<>();
    hooks = new LifecycleHookRunner(runtime.client(), events, sleeps::add);
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext(
        "/",
        ex -> {
          agents.put(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("User-Agent"));
          int code = ex.getRequestURI().getPath().equals("/error") ? 500 : 200;
          ex.sendResponseHeaders(code, 2);
          try (OutputStream out = ex.getResponseBody()) {
            out.write("ok".getBytes());
          }
        });
    http.start();
    port = http.getAddress().getPort();
  }

  @AfterEach
  void tearDown() {
    http.stop(0);
    runtime.close();
  }

  static Container container(LifecycleHandler postStart, LifecycleHandler preStop) {
    return new ContainerBuilder()
        .withName("web")
        .withImage("busybox")
        .withNewLifecycle()
        .withPostStart(postStart)
        .withPreStop(preStop)
        .endLifecycle()
        .build();
  }

  static Pod pod() {
    return ProbeManagerTest.pod("Always", new ContainerBuilder().withName("web").build());
  }

  static LifecycleHandler exec(String... cmd) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand(cmd).endExec().build();
  }

  LifecycleHandler httpGet(String path, int p) {
    return new LifecycleHandlerBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(p))
        .endHttpGet()
        .build();
  }

  static LifecycleHandler sleep(long seconds) {
    return new LifecycleHandlerBuilder().withNewSleep().withSeconds(seconds).endSleep().build();
  }

  @Test
  void postStartExecRunsInTheContainer() throws Exception {
    hooks.postStart(pod(), container(exec("touch", "/tmp/started"), null), "c1", "127.0.0.1");
    assertThat(runtime.execs).hasSize(1);
    assertThat(runtime.execs.getFirst().getContainerId()).isEqualTo("c1");
    assertThat(runtime.execs.getFirst().getCmdList()).containsExactly("touch", "/tmp/started");
    assertThat(events.events).isEmpty();
  }

  @Test
  void postStartExecFailureIsAConfigErrorWithKubernetesMessage() {
    runtime.script = r -> FakeRuntime.exit(2, "partial\n", "no such file\n");
    Container c = container(exec("sh", "-c", "cat /missing"), null);
    String message =
        "Exec lifecycle hook ([sh -c cat /missing]) for Container \"web\" in Pod \""
            + POD_NAME
            + "\" failed - error: command 'sh -c cat /missing' exited with 2: no such file\n"
            + ", message: \"partial\\nno such file\\n\"";
    assertThatThrownBy(() -> hooks.postStart(pod(), c, "c1", "127.0.0.1"))
        .isInstanceOfSatisfying(
            PodConfigException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("FailedPostStartHook");
              assertThat(e.getMessage()).isEqualTo(message);
            });
    assertThat(events.events).isEmpty(); // the pod worker records it from the exception
  }

  @Test
  void postStartHttpGetSucceedsOnAnyResponseAndFailsWithoutOne() throws Exception {
    hooks.postStart(pod(), container(httpGet("/started", port), null), "c1", "127.0.0.1");
    hooks.postStart(pod(), container(httpGet("/error", port), null), "c1", "127.0.0.1");
    assertThat(agents).containsEntry("/started", "kube-lifecycle/1.32").containsKey("/error");
    assertThat(events.events).isEmpty();

    http.stop(0);
    Container c = container(httpGet("/started", port), null);
    assertThatThrownBy(() -> hooks.postStart(pod(), c, "c1", "127.0.0.1"))
        .isInstanceOf(PodConfigException.class)
        .hasMessage(
            "HTTP lifecycle hook (/started) for Container \"web\" in Pod \""
                + POD_NAME
                + "\" failed - error: Get \"http://127.0.0.1:"
                + port
                + "/started\": dial tcp 127.0.0.1:"
                + port
                + ": connect: connection refused");
  }

  @Test
  void httpsHookAnsweredInPlainHttpFallsBackToHttp() throws Exception {
    try (PlainHttpServer plain = new PlainHttpServer()) {
      httpsHookFallsBack(plain);
    }
  }

  void httpsHookFallsBack(PlainHttpServer plain) throws Exception {
    int port = plain.port();
    LifecycleHandler https =
        new LifecycleHandlerBuilder()
            .withNewHttpGet()
            .withScheme("HTTPS")
            .withPath("/tls")
            .withPort(new IntOrString(port))
            .endHttpGet()
            .build();
    hooks.postStart(pod(), container(https, null), "c1", "127.0.0.1");
    assertThat(plain.paths).containsExactly("/tls");
    assertThat(events.events)
        .containsExactly(
            new RecordingEvents.Event(
                "web-pod",
                "Warning",
                "LifecycleHTTPFallback",
                "request to HTTPS lifecycle hook 127.0.0.1:"
                    + port
                    + " got HTTP response, retry with HTTP succeeded"));
  }

  @Test
  void hookWithAnInvalidPortFails() {
    Container c = container(httpGet("/x", 0), null);
    assertThatThrownBy(() -> hooks.postStart(pod(), c, "c1", "127.0.0.1"))
        .hasMessage(
            "HTTP lifecycle hook (/x) for Container \"web\" in Pod \""
                + POD_NAME
                + "\" failed - error: invalid port number: 0");
  }

  @Test
  void preStopSleepIsBoundedByTheBudget() {
    hooks.preStop(pod(), container(null, sleep(30)), "c1", "127.0.0.1", Duration.ofSeconds(5));
    hooks.preStop(pod(), container(null, sleep(3)), "c1", "127.0.0.1", Duration.ofSeconds(5));
    hooks.preStop(pod(), container(null, sleep(3)), "c1", "127.0.0.1", Duration.ZERO);
    assertThat(sleeps).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(3));
    assertThat(events.events).isEmpty();
  }

  @Test
  void postStartSleepWaitsItsSeconds() throws Exception {
    hooks.postStart(pod(), container(sleep(7), null), "c1", "127.0.0.1");
    assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void preStopFailureIsAnEventOnly() {
    runtime.script =
        r -> {
          throw Status.NOT_FOUND.withDescription("container c1 not found").asRuntimeException();
        };
    hooks.preStop(
        pod(),
        container(null, exec("nginx", "-s", "quit")),
        "c1",
        "127.0.0.1",
        Duration.ofSeconds(30));
    assertThat(events.events)
        .containsExactly(
            new RecordingEvents.Event(
                "web-pod",
                "Warning",
                "FailedPreStopHook",
                "Exec lifecycle hook ([nginx -s quit]) for Container \"web\" in Pod \""
                    + POD_NAME
                    + "\" failed - error: rpc error: code = NotFound desc = container c1 not"
                    + " found, message: \"\""));
  }

  @Test
  void preStopThatRunsOutOfTimeIsAbandonedQuietly() {
    runtime.script =
        r -> {
          throw Status.DEADLINE_EXCEEDED.asRuntimeException();
        };
    hooks.preStop(
        pod(), container(null, exec("sleep", "100")), "c1", "127.0.0.1", Duration.ofSeconds(2));
    assertThat(runtime.execs).hasSize(1);
    assertThat(events.events).isEmpty();
  }

  @Test
  void containersWithoutHooksDoNothing() throws Exception {
    Container none = new ContainerBuilder().withName("web").build();
    hooks.postStart(pod(), none, "c1", "127.0.0.1");
    hooks.preStop(pod(), none, "c1", "127.0.0.1", Duration.ofSeconds(30));
    assertThat(runtime.execs).isEmpty();
    assertThat(sleeps).isEmpty();
  }
}
