package dev.skiff.controllers.job;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Kubernetes' compact index-set text, e.g. "1,3-5,7", as in status.completedIndexes. */
public final class CompletedIndexes {
  private CompletedIndexes() {}

  public static TreeSet<Integer> parse(String text) {
    TreeSet<Integer> indexes = new TreeSet<>();
    if (text == null || text.isBlank()) {
      return indexes;
    }
    for (String part : text.split(",")) {
      int dash = part.indexOf('-');
      if (dash < 0) {
        indexes.add(Integer.parseInt(part.trim()));
      } else {
        int from = Integer.parseInt(part.substring(0, dash).trim());
        int to = Integer.parseInt(part.substring(dash + 1).trim());
        for (int i = from; i <= to; i++) {
          indexes.add(i);
        }
      }
    }
    return indexes;
  }

  public static String format(TreeSet<Integer> indexes) {
    List<String> parts = new ArrayList<>();
    Integer start = null;
    Integer previous = null;
    for (int index : indexes) {
      if (start == null) {
        start = index;
      } else if (index != previous + 1) {
        parts.add(range(start, previous));
        start = index;
      }
      previous = index;
    }
    if (start != null) {
      parts.add(range(start, previous));
    }
    return String.join(",", parts);
  }

  private static String range(int from, int to) {
    return from == to ? Integer.toString(from) : from + "-" + to;
  }
}
