package dev.skiff.storage;

/**
 * One change seen by a {@link Store#watch}.
 *
 * @param kv for PUT the new value; for DELETE the key with a null value and createRevision 0, its
 *     modRevision being the revision of the delete
 * @param previous the value before the change (null for a create)
 */
public record WatchEvent(Type type, KeyValue kv, KeyValue previous) {
  public enum Type {
    PUT,
    DELETE
  }

  public long revision() {
    return kv.modRevision();
  }
}
