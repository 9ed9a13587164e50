package dev.skiff.storage;

public final class KeyNotFound extends StoreException {
  private final String key;

  public KeyNotFound(String key) {
    super("key not found: " + key, null);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
