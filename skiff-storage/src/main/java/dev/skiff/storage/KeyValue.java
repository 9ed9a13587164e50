package dev.skiff.storage;

/**
 * One key as stored.
 *
 * @param createRevision revision of the write that created the key
 * @param modRevision revision of the last write to the key (the resourceVersion)
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision) {}
