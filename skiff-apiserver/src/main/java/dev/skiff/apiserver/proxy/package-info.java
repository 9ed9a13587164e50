/**
 * What the API server reaches through kubelets and pods: pods/log, exec, attach, portforward,
 * nodes/proxy, pods/proxy and services/proxy, and the metrics.k8s.io API fed by the kubelets'
 * {@code /metrics/resource}. Plain requests go through the JDK HTTP client; protocol switches
 * (SPDY, WebSocket) are spliced byte for byte in Netty after the backend's 101.
 */
package dev.skiff.apiserver.proxy;
