/**
 * The kubelet API (port 10250) that the API server proxies pods/log, exec, attach, portforward,
 * nodes/proxy and metrics to.
 *
 * <p>{@link dev.skiff.kubelet.server.KubeletServer} listens with TLS; a client certificate is
 * requested and verified against the cluster CA (CN = user, O = groups), otherwise a bearer token
 * is checked with TokenReview. {@code system:masters} and {@code kube-apiserver-kubelet-client}
 * pass; anyone else needs a SubjectAccessReview for {@code nodes/<name>} with the kubelet's
 * subresource mapping (stats, metrics, log for /logs, checkpoint, proxy for everything else,
 * /containerLogs and /exec included) and the verb of the HTTP method.
 *
 * <p>Streaming: exec, attach and port-forward ask the runtime (CRI Exec/Attach/PortForward) for a
 * URL on its streaming server and relay the client's upgrade request there unchanged, then splice
 * bytes. containerd 1.6 speaks SPDY/3.1 for all three and WebSocket only with the channel.k8s.io
 * v1-v4 protocols; what it lacks (v5.channel.k8s.io, SPDY/3.1+portforward.k8s.io) is refused with
 * 400 before a runtime session is made, which makes kubectl 1.32 fall back to SPDY.
 */
package dev.skiff.kubelet.server;
