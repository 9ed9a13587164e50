package dev.skiff.storage;

/**
 * Every failure a {@link Store} reports; the API server maps each subclass to an API error once.
 */
public abstract sealed class StoreException extends RuntimeException
    permits KeyExists, KeyNotFound, RevisionConflict, Compacted, StoreUnavailable {
  protected StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
