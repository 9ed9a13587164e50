package dev.skiff.scheduler.framework;

/** An internal error of a scheduling cycle (a plugin misbehaved, the API failed). */
public final class SchedulingException extends RuntimeException {
  public SchedulingException(String message) {
    super(message);
  }

  public SchedulingException(String message, Throwable cause) {
    super(message, cause);
  }
}
