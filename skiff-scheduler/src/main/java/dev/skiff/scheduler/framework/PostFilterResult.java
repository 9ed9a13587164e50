package dev.skiff.scheduler.framework;

/**
 * A PostFilter outcome. {@code nominatedNodeName} is the node the pod should wait for; an empty
 * string asks to clear a previous nomination; null leaves it as is.
 */
public record PostFilterResult(PluginStatus status, String nominatedNodeName) {}
