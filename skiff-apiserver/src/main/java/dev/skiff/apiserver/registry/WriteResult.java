package dev.skiff.apiserver.registry;

import tools.jackson.databind.node.ObjectNode;

/**
 * The outcome of a write.
 *
 * @param object the object as stored (or as it would be, for a dry run); for a delete that removed
 *     the object, its last state
 * @param created whether the write created the object (HTTP 201)
 * @param deleted whether the object is gone (a delete, or an update that removed the last
 *     finalizer)
 */
public record WriteResult(ObjectNode object, boolean created, boolean deleted) {}
