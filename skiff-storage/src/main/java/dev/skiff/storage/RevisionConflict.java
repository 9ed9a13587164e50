package dev.skiff.storage;

/** A compare-and-swap failed: the key was written since the expected revision. */
public final class RevisionConflict extends StoreException {
  private final String key;
  private final transient KeyValue current;

  public RevisionConflict(String key, KeyValue current) {
    super("revision conflict on " + key, null);
    this.key = key;
    this.current = current;
  }

  public String key() {
    return key;
  }

  /** The value the key has now. */
  public KeyValue current() {
    return current;
  }
}
