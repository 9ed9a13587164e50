package dev.skiff.apiserver.watch;

/** A watch asked for events older than the watch cache retains. */
public final class TooOldResourceVersion extends RuntimeException {
  private final long requested;
  private final long oldest;

  public TooOldResourceVersion(long requested, long oldest) {
    super("too old resource version: " + requested + " (" + oldest + ")");
    this.requested = requested;
    this.oldest = oldest;
  }

  public long requested() {
    return requested;
  }

  public long oldest() {
    return oldest;
  }
}
