package dev.skiff.apiserver.registry;

/**
 * Options of one write request.
 *
 * @param dryRun validate and default but do not store (dryRun=All)
 * @param fieldManager the manager recorded in managedFields
 * @param apiVersion the apiVersion the client wrote in, recorded in managedFields
 */
public record WriteOptions(boolean dryRun, String fieldManager, String apiVersion) {}
