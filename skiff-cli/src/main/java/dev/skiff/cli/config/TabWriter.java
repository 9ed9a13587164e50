package dev.skiff.cli.config;

import java.util.List;

/**
 * kubectl's table layout (Go's tabwriter with minimum width 6 and padding 3): every cell but the
 * last of a row is padded to its column's width.
 */
final class TabWriter {
  private static final int MIN_WIDTH = 6;
  private static final int PADDING = 3;

  private TabWriter() {}

  static String format(List<List<String>> rows) {
    int columns = rows.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size() - 1; i++) {
        widths[i] = Math.max(widths[i], Math.max(MIN_WIDTH, row.get(i).length() + PADDING));
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        out.append(cell);
        if (i < row.size() - 1) {
          out.append(" ".repeat(widths[i] - cell.length()));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }
}
