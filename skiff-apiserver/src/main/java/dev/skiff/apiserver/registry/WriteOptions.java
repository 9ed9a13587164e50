package dev.skiff.apiserver.registry;

/**
 * Options of one write request.
 *
 * @param dryRun validate and default but do not store (dryRun=All)
 * @param fieldManager the manager recorded in managedFields
 * @param apiVersion the apiVersion the client wrote in, recorded in managedFields
 * @param subresource the subresource written through ("status", "scale" ...), "" for the main
 *     resource; recorded in managedFields
 */
public record WriteOptions(
    boolean dryRun, String fieldManager, String apiVersion, String subresource) {

  public WriteOptions(boolean dryRun, String fieldManager, String apiVersion) {
    this(dryRun, fieldManager, apiVersion, "");
  }
}
