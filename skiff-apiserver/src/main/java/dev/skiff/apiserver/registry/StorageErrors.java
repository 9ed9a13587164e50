package dev.skiff.apiserver.registry;

import dev.skiff.api.ResourceType;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.storage.Compacted;
import dev.skiff.storage.KeyExists;
import dev.skiff.storage.KeyNotFound;
import dev.skiff.storage.RevisionConflict;
import dev.skiff.storage.StoreException;
import dev.skiff.storage.StoreUnavailable;

/** Translates a {@link StoreException} into the API error of one object of one resource. */
public final class StorageErrors {
  /** Kubernetes' message for an optimistic-concurrency failure. */
  public static final String OBJECT_MODIFIED =
      "the object has been modified; please apply your changes to the latest version and try again";

  private StorageErrors() {}

  public static ApiException translate(StoreException error, ResourceType type, String name) {
    return switch (error) {
      case KeyExists e -> ApiException.alreadyExists(type.group(), type.plural(), name);
      case KeyNotFound e -> ApiException.notFound(type.group(), type.plural(), name);
      case RevisionConflict e ->
          ApiException.conflict(type.group(), type.plural(), name, OBJECT_MODIFIED);
      case Compacted e -> ApiException.gone(tooOld(e.requestedRevision(), e.compactedRevision()));
      case StoreUnavailable e ->
          ApiException.serviceUnavailable("storage is unavailable: " + e.getMessage());
    };
  }

  /** Kubernetes' message for a watch or list from a compacted resourceVersion. */
  public static String tooOld(long requested, long oldest) {
    return "too old resource version: " + requested + " (" + oldest + ")";
  }
}
