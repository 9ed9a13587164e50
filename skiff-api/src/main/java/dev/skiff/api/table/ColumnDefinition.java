package dev.skiff.api.table;

/**
 * One meta.k8s.io/v1 TableColumnDefinition.
 *
 * @param type "string", "integer", "number", "boolean" or "date"
 * @param format "name" for the name column, "" otherwise
 * @param priority 0 for default columns, 1 for the -o wide ones
 */
public record ColumnDefinition(
    String name, String type, String format, String description, int priority) {}
