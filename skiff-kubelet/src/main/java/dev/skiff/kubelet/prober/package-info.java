/**
 * Container probes and lifecycle hooks, as the kubelet runs them.
 *
 * <p>{@link dev.skiff.kubelet.prober.ProbeManager} implements the pod workers' {@link
 * dev.skiff.kubelet.pod.ContainerProbes}: one worker per running container and probe kind
 * (liveness, readiness, startup) with Kubernetes' timing (initialDelaySeconds, periodSeconds,
 * timeoutSeconds, success and failure thresholds, startup gating) and its event wording ({@code
 * Unhealthy}, {@code ProbeWarning}). {@link dev.skiff.kubelet.prober.LifecycleHookRunner}
 * implements {@link dev.skiff.kubelet.pod.ContainerHooks} (postStart, preStop). Handlers: exec
 * through CRI ExecSync, httpGet (a small HTTP/1.1 client: any Host header, no certificate checks,
 * 10 KiB of body, same-host redirects), tcpSocket, and grpc ({@code grpc.health.v1.Health/Check},
 * from {@code src/main/proto/health/health_v1.proto}). Time comes from a {@link
 * dev.skiff.kubelet.prober.ProbeScheduler}, real or fake.
 */
package dev.skiff.kubelet.prober;
