package dev.skiff.api.table;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side printing of one kind as a meta.k8s.io Table: the columns Kubernetes prints for it and
 * one row of cells per object. Columns with priority > 0 are the ones {@code kubectl -o wide} adds.
 */
public interface TablePrinter {
  List<ColumnDefinition> columns();

  /** The cells of one row, in column order: String, Long, Double or Boolean values. */
  List<Object> cells(ObjectNode object);
}
