package dev.skiff.controllers.volume.protection;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;

/** Finalizer lists of object metadata, as new lists (cached objects are never changed). */
final class Finalizers {
  private Finalizers() {}

  static boolean has(ObjectMeta metadata, String finalizer) {
    return metadata.getFinalizers() != null && metadata.getFinalizers().contains(finalizer);
  }

  static List<String> with(ObjectMeta metadata, String finalizer) {
    List<String> finalizers =
        new ArrayList<>(metadata.getFinalizers() == null ? List.of() : metadata.getFinalizers());
    finalizers.add(finalizer);
    return finalizers;
  }

  static List<String> without(ObjectMeta metadata, String finalizer) {
    List<String> finalizers =
        new ArrayList<>(metadata.getFinalizers() == null ? List.of() : metadata.getFinalizers());
    finalizers.removeIf(finalizer::equals);
    return finalizers;
  }

  /** Being deleted and still held by {@code finalizer}: the controller has to decide. */
  static boolean awaitsRelease(ObjectMeta metadata, String finalizer) {
    return metadata.getDeletionTimestamp() != null && has(metadata, finalizer);
  }

  /** Not being deleted and without {@code finalizer} (made before admission added it). */
  static boolean needsAdding(ObjectMeta metadata, String finalizer) {
    return metadata.getDeletionTimestamp() == null && !has(metadata, finalizer);
  }
}
