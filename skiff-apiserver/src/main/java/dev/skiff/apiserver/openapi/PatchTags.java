package dev.skiff.apiserver.openapi;

import dev.skiff.api.patch.PatchMeta;
import java.util.Optional;

/**
 * The strategic-merge tags of one field as OpenAPI publishes them ({@code
 * x-kubernetes-patch-strategy}, {@code x-kubernetes-patch-merge-key}).
 *
 * @param strategy e.g. "merge", "retainKeys" or "merge,retainKeys"
 * @param mergeKey the key of list elements, "" for lists of scalars
 */
public record PatchTags(String strategy, String mergeKey) {

  /** Where the tags of a model field come from. */
  @FunctionalInterface
  public interface Lookup {
    Optional<PatchTags> of(Class<?> owner, String jsonField);
  }

  /** The tags Kubernetes declares, from skiff-api's strategic-merge table. */
  public static Lookup kubernetes() {
    return (owner, field) ->
        PatchMeta.of(owner, field).map(meta -> new PatchTags(meta.strategy(), meta.mergeKey()));
  }
}
