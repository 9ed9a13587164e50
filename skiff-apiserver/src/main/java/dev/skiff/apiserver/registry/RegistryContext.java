package dev.skiff.apiserver.registry;

import java.time.InstantSource;
import java.util.random.RandomGenerator;

/** What the registries share: time, randomness (names, uids) and namespace admission. */
public record RegistryContext(
    InstantSource clock, RandomGenerator random, NamespaceLifecycle namespaces) {}
