package dev.skiff.scheduler.plugins;

/** A resource scored by NodeResourcesFit or NodeResourcesBalancedAllocation, with its weight. */
record ResourceSpec(String name, long weight) {}
