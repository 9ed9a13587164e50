package dev.skiff.api.table;

import dev.skiff.api.ResourceType;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** The printer for each resource: Kubernetes' columns where it has them, else name and age. */
public final class TablePrinters {
  private static final Map<String, TablePrinter> BY_GROUP_AND_RESOURCE = Map.of();

  private TablePrinters() {}

  /** The printer for {@code type}; never null. */
  public static TablePrinter forResource(ResourceType type) {
    TablePrinter printer = BY_GROUP_AND_RESOURCE.get(type.group() + "/" + type.plural());
    return printer != null ? printer : DEFAULT;
  }

  /** Kubernetes' default for resources without printer columns: NAME and CREATED AT. */
  static final TablePrinter DEFAULT =
      new TablePrinter() {
        private final List<ColumnDefinition> columns =
            List.of(
                new ColumnDefinition(
                    "Name", "string", "name", "Name must be unique within a namespace.", 0),
                new ColumnDefinition(
                    "Created At",
                    "date",
                    "",
                    "CreationTimestamp is a timestamp representing the server time when this object"
                        + " was created.",
                    0));

        @Override
        public List<ColumnDefinition> columns() {
          return columns;
        }

        @Override
        public List<Object> cells(ObjectNode object) {
          ObjectNode metadata = (ObjectNode) object.path("metadata");
          return List.of(
              metadata.path("name").asString(""), metadata.path("creationTimestamp").asString(""));
        }
      };
}
