/**
 * The API server's HTTPS transport. {@link dev.skiff.apiserver.server.ApiServer} listens (HTTP/1.1
 * and HTTP/2 by ALPN, WebSocket for streams), authenticates each request ({@link
 * dev.skiff.apiserver.server.Authenticator}, x509 by default), authorizes it ({@link
 * dev.skiff.apiserver.server.Authorizer}, allow-all for now), answers /healthz, /livez, /readyz
 * ({@link dev.skiff.apiserver.server.HealthChecks}) and /version itself, and runs every other
 * request through an {@link dev.skiff.apiserver.http.ApiHandler} on a virtual thread.
 */
package dev.skiff.apiserver.server;
