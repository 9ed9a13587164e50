package dev.skiff.kubelet.prober;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.ExecSyncRequest;
import dev.skiff.kubelet.cri.v1.ExecSyncResponse;
import dev.skiff.kubelet.pod.ContainerHooks;
import dev.skiff.kubelet.pod.PodConfigException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers' postStart and preStop hooks (exec through CRI ExecSync, httpGet, sleep) and
 * reports failures with Kubernetes' messages: a postStart failure is a {@link PodConfigException}
 * with reason {@code FailedPostStartHook} (the pod worker records the event and kills the
 * container), a preStop failure a {@code FailedPreStopHook} warning event. As in Kubernetes, an
 * httpGet hook fails only when no response comes (any status code will do), a postStart hook has no
 * time limit, and a preStop hook that outlives its budget is abandoned without an event.
 */
public final class LifecycleHookRunner implements ContainerHooks {
  private static final Logger log = LoggerFactory.getLogger(LifecycleHookRunner.class);

  static final String HOOK_USER_AGENT = "kube-lifecycle/" + Prober.KUBE_VERSION;

  /** A gRPC deadline long enough to mean "none" for a postStart exec. */
  private static final long UNBOUNDED_SECONDS = 24 * 3600;

  /** How a sleep hook waits; tests pass one that does not. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final CriClient cri;
  private final EventRecorder events;
  private final Sleeper sleeper;
  private final HttpGetClient http = new HttpGetClient();

  public LifecycleHookRunner(CriClient cri, EventRecorder events) {
    this(cri, events, d -> Thread.sleep(d));
  }

  public LifecycleHookRunner(CriClient cri, EventRecorder events, Sleeper sleeper) {
    this.cri = Objects.requireNonNull(cri, "cri");
    this.events = Objects.requireNonNull(events, "events");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  @Override
  public void postStart(Pod pod, Container container, String containerId, String podIp)
      throws PodConfigException {
    LifecycleHandler handler =
        container.getLifecycle() == null ? null : container.getLifecycle().getPostStart();
    if (handler == null) {
      return;
    }
    String failure = run(pod, container, containerId, podIp, handler, null);
    if (failure != null) {
      // the pod worker records the FailedPostStartHook event from the exception and kills it
      throw new PodConfigException("FailedPostStartHook", failure);
    }
  }

  @Override
  public void preStop(
      Pod pod, Container container, String containerId, String podIp, Duration budget) {
    LifecycleHandler handler =
        container.getLifecycle() == null ? null : container.getLifecycle().getPreStop();
    if (handler == null) {
      return;
    }
    if (budget == null || budget.isNegative() || budget.isZero()) {
      log.info(
          "no time left for the preStop hook of container {} in pod {}",
          container.getName(),
          Prober.podName(pod));
      return;
    }
    String failure = run(pod, container, containerId, podIp, handler, budget);
    if (failure != null) {
      events.event(pod, EventRecorder.WARNING, "FailedPreStopHook", failure);
    }
  }

  /**
   * Runs a handler within {@code budget} (null: no limit).
   *
   * @return Kubernetes' failure message, or null when it succeeded or ran out of time
   */
  private String run(
      Pod pod,
      Container container,
      String containerId,
      String podIp,
      LifecycleHandler handler,
      Duration budget) {
    if (handler.getExec() != null) {
      return exec(pod, container, containerId, handler.getExec(), budget);
    }
    if (handler.getHttpGet() != null) {
      return httpGet(pod, container, podIp, handler.getHttpGet(), budget);
    }
    if (handler.getSleep() != null) {
      long seconds = handler.getSleep().getSeconds() == null ? 0 : handler.getSleep().getSeconds();
      Duration wanted = Duration.ofSeconds(Math.max(0, seconds));
      Duration wait = budget != null && budget.compareTo(wanted) < 0 ? budget : wanted;
      try {
        sleeper.sleep(wait);
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "Sleep lifecycle hook ("
            + seconds
            + ") for Container \""
            + container.getName()
            + "\" in Pod \""
            + Prober.podName(pod)
            + "\" failed - error: container terminated before sleep hook finished";
      }
    }
    return "Cannot run handler: invalid handler";
  }

  private String exec(
      Pod pod, Container container, String containerId, ExecAction action, Duration budget) {
    List<String> cmd = action.getCommand() == null ? List.of() : action.getCommand();
    String error;
    String output = "";
    try {
      long deadline = budget == null ? UNBOUNDED_SECONDS : Math.max(1, budget.toSeconds());
      ExecSyncResponse r =
          cri.runtime(deadline)
              .execSync(
                  ExecSyncRequest.newBuilder()
                      .setContainerId(containerId)
                      .addAllCmd(cmd)
                      .setTimeout(0)
                      .build());
      if (r.getExitCode() == 0) {
        return null;
      }
      output = Prober.combined(r.getStdout().toByteArray(), r.getStderr().toByteArray());
      error =
          "command '"
              + String.join(" ", cmd)
              + "' exited with "
              + r.getExitCode()
              + ": "
              + r.getStderr().toString(StandardCharsets.UTF_8);
    } catch (StatusRuntimeException e) {
      if (budget != null && e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        log.info(
            "preStop hook of container {} in pod {} did not finish within {}",
            container.getName(),
            Prober.podName(pod),
            budget);
        return null;
      }
      error = GrpcErrors.format(e);
    }
    return "Exec lifecycle hook (["
        + String.join(" ", cmd)
        + "]) for Container \""
        + container.getName()
        + "\" in Pod \""
        + Prober.podName(pod)
        + "\" failed - error: "
        + error
        + ", message: "
        + Prober.goQuote(output);
  }

  private String httpGet(
      Pod pod, Container container, String podIp, HTTPGetAction action, Duration budget) {
    String error;
    try {
      HttpGetClient.Request request =
          Prober.httpRequest(action, container, podIp, HOOK_USER_AGENT, budget)
              .followingAllRedirects();
      try {
        http.get(request);
      } catch (HttpGetClient.HttpGetException e) {
        if (!e.plainHttpServer()) {
          throw e;
        }
        // as Kubernetes: an HTTPS hook answered in plain HTTP is retried over HTTP (without
        // Authorization); if that fails too, the first error stands
        HttpGetClient.Request plain = request.withScheme("http").withoutHeader("Authorization");
        try {
          http.get(plain);
        } catch (HttpGetClient.HttpGetException second) {
          throw e;
        }
        events.event(
            pod,
            EventRecorder.WARNING,
            "LifecycleHTTPFallback",
            "request to HTTPS lifecycle hook "
                + NetErrors.joinHostPort(plain.host(), plain.port())
                + " got HTTP response, retry with HTTP succeeded");
      }
      return null; // any response will do
    } catch (ContainerPorts.InvalidPortException e) {
      error = e.getMessage();
    } catch (HttpGetClient.HttpGetException e) {
      if (budget != null && e.timedOut()) {
        log.info(
            "preStop hook of container {} in pod {} did not finish within {}",
            container.getName(),
            Prober.podName(pod),
            budget);
        return null;
      }
      error = e.getMessage();
    }
    return "HTTP lifecycle hook ("
        + (action.getPath() == null ? "" : action.getPath())
        + ") for Container \""
        + container.getName()
        + "\" in Pod \""
        + Prober.podName(pod)
        + "\" failed - error: "
        + error;
  }
}
