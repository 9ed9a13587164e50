package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A decoded request travelling the pipeline: what the API handler will see, the bodiless HTTP head
 * (for the WebSocket handshake), and the audit ID its response carries.
 */
record ServerRequest(ApiRequest api, HttpRequest head, String auditId) {
  ServerRequest withUser(UserInfo user) {
    return new ServerRequest(
        new ApiRequest(
            api.method(),
            api.path(),
            api.query(),
            api.headers(),
            api.body(),
            user,
            api.websocket()),
        head,
        auditId);
  }
}
