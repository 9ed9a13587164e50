package dev.skiff.apiserver.server;

/** The server could not listen because another process holds the address and port. */
public final class PortInUseException extends RuntimeException {
  public PortInUseException(String bindAddress, int port, Throwable cause) {
    super("port " + port + " on " + bindAddress + " is already in use", cause);
  }
}
