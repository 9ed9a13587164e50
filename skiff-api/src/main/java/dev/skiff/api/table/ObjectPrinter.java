package dev.skiff.api.table;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A printer made of its columns and a function from an object (and the time now) to its cells. */
final class ObjectPrinter implements TablePrinter {
  /** Computes one row; cells are String, Long, Double or Boolean, one per column. */
  @FunctionalInterface
  interface Row {
    List<Object> cells(JsonNode object, Instant now);
  }

  private final List<ColumnDefinition> columns;
  private final InstantSource clock;
  private final Row row;

  ObjectPrinter(List<ColumnDefinition> columns, InstantSource clock, Row row) {
    this.columns = List.copyOf(columns);
    this.clock = clock;
    this.row = row;
  }

  @Override
  public List<ColumnDefinition> columns() {
    return columns;
  }

  @Override
  public List<Object> cells(ObjectNode object) {
    return row.cells(object, clock.instant());
  }

  static ColumnDefinition name() {
    return new ColumnDefinition(
        "Name", "string", "name", "The object's name, unique in its scope.", 0);
  }

  static ColumnDefinition age() {
    return new ColumnDefinition("Age", "string", "", "Time since the object was created.", 0);
  }

  static ColumnDefinition column(String name, String type, String description) {
    return new ColumnDefinition(name, type, "", description, 0);
  }

  /** A column only {@code kubectl -o wide} shows. */
  static ColumnDefinition wide(String name, String type, String description) {
    return new ColumnDefinition(name, type, "", description, 1);
  }

  static String name(JsonNode object) {
    return Fields.str(object, "metadata", "name");
  }

  static String age(JsonNode object, Instant now) {
    return HumanDuration.since(Fields.str(object, "metadata", "creationTimestamp"), now);
  }
}
