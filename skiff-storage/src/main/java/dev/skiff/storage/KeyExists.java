package dev.skiff.storage;

public final class KeyExists extends StoreException {
  private final String key;

  public KeyExists(String key) {
    super("key already exists: " + key, null);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
