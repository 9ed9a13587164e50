package dev.skiff.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one benchmark's results into docs/benchmarks.md, between {@code <!-- BEGIN name -->} and
 * {@code <!-- END name -->} markers, so each harness updates its own section and leaves the rest.
 */
public final class BenchmarkReport {
  private BenchmarkReport() {}

  /** Replaces (or appends) the section {@code name} of {@code markdown} with {@code body}. */
  public static String replaceSection(String markdown, String name, String body) {
    String begin = "<!-- BEGIN " + name + " -->";
    String end = "<!-- END " + name + " -->";
    String section = begin + "\n" + body.strip() + "\n" + end;
    int from = markdown.indexOf(begin);
    int to = markdown.indexOf(end);
    if (from >= 0 && to > from) {
      return markdown.substring(0, from) + section + markdown.substring(to + end.length());
    }
    String separator = markdown.isEmpty() || markdown.endsWith("\n\n") ? "" : "\n";
    return markdown + separator + section + "\n";
  }

  /** Updates the section {@code name} of the file, creating the file if needed. */
  public static void writeSection(Path file, String name, String body) {
    try {
      String current = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, replaceSection(current, name, body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Finds docs/benchmarks.md from the working directory or its parent (the repo root). */
  public static Path defaultFile() {
    Path here = Path.of("").toAbsolutePath();
    for (Path dir = here; dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("docs")) && Files.exists(dir.resolve("skiff"))) {
        return dir.resolve("docs").resolve("benchmarks.md");
      }
    }
    return here.resolve("docs").resolve("benchmarks.md");
  }
}
