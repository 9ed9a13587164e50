package dev.skiff.apiserver.registry;

/**
 * meta/v1 DeleteOptions of one delete.
 *
 * @param gracePeriodSeconds null for the kind's default
 * @param uid precondition: the object's uid must equal it (null = none)
 * @param resourceVersion precondition: the object's resourceVersion must equal it (null = none)
 * @param propagationPolicy Orphan, Background, Foreground or null
 * @param dryRun do not store
 */
public record DeleteOptions(
    Long gracePeriodSeconds,
    String uid,
    String resourceVersion,
    String propagationPolicy,
    boolean dryRun) {
  public static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null, null, false);
}
