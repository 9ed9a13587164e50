package dev.skiff.storage;

/** The backend cannot be reached or failed (I/O, database error). */
public final class StoreUnavailable extends StoreException {
  public StoreUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
