package dev.skiff.apiserver.watch;

import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * One object as the watch cache holds it: the parsed tree (never modified once cached), its JSON
 * bytes (serialized once), its labels and selectable fields (computed once).
 *
 * @param key the store key
 * @param object the object with metadata.resourceVersion set; callers must copy before changing it
 * @param json the object serialized as JSON
 * @param revision the revision of the write that produced this state (the resourceVersion)
 * @param labels metadata.labels
 * @param fields the selectable fields: metadata.name, metadata.namespace and the kind's own
 */
public record CachedObject(
    String key,
    ObjectNode object,
    byte[] json,
    long revision,
    Map<String, String> labels,
    Map<String, String> fields) {}
