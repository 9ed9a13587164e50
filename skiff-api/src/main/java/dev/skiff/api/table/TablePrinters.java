package dev.skiff.api.table;

import dev.skiff.api.ResourceType;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The printer for each resource: Kubernetes' columns where it has them, else name and creation
 * time. Ages are computed when a row is printed, from the system clock or a given one.
 */
public final class TablePrinters {
  private static final Map<String, TablePrinter> SYSTEM_CLOCK =
      byGroupAndResource(InstantSource.system());

  private TablePrinters() {}

  /** The printer for {@code type}; never null. */
  public static TablePrinter forResource(ResourceType type) {
    return lookup(SYSTEM_CLOCK, type);
  }

  /** The printer for {@code type}, computing ages against {@code clock}; never null. */
  public static TablePrinter forResource(ResourceType type, InstantSource clock) {
    return lookup(byGroupAndResource(clock), type);
  }

  private static TablePrinter lookup(Map<String, TablePrinter> printers, ResourceType type) {
    TablePrinter printer = printers.get(type.group() + "/" + type.plural());
    return printer != null ? printer : DEFAULT;
  }

  private static Map<String, TablePrinter> byGroupAndResource(InstantSource clock) {
    Map<String, TablePrinter> printers = new HashMap<>();
    CorePrinters.register(printers, clock);
    WorkloadPrinters.register(printers, clock);
    ClusterPrinters.register(printers, clock);
    return Map.copyOf(printers);
  }

  /** Kubernetes' default for resources without printer columns: NAME and CREATED AT. */
  static final TablePrinter DEFAULT =
      new TablePrinter() {
        private final List<ColumnDefinition> columns =
            List.of(
                new ColumnDefinition(
                    "Name", "string", "name", "The object's name, unique in its scope.", 0),
                new ColumnDefinition("Created At", "date", "", "When the object was created.", 0));

        @Override
        public List<ColumnDefinition> columns() {
          return columns;
        }

        @Override
        public List<Object> cells(ObjectNode object) {
          return List.of(
              Fields.str(object, "metadata", "name"),
              Fields.str(object, "metadata", "creationTimestamp"));
        }
      };
}
