package dev.skiff.apiserver.http;

/**
 * Serves API requests. Called on a virtual thread, never on an event loop, so it may block.
 * Expected failures are thrown as {@link ApiException}, which the transport renders as a Status.
 */
@FunctionalInterface
public interface ApiHandler {
  ApiResponse handle(ApiRequest request);
}
