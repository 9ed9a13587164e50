package dev.skiff.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogReaderTest {
  @TempDir Path dir;

  private final ContainerLogReader reader = new ContainerLogReader(Duration.ofMillis(20));

  private static String line(int second, String stream, String tag, String text) {
    return "2024-01-01T00:00:"
        + String.format("%02d", second)
        + ".5Z "
        + stream
        + " "
        + tag
        + " "
        + text
        + "\n";
  }

  private Path file(String name, String... lines) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("", lines));
    return file;
  }

  private String read(Path current, List<Path> rotated, ContainerLogOptions options)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    reader.read(current, rotated, options, () -> false, out::write);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ContainerLogOptions options(
      boolean timestamps, long tail, Instant since, long limit) {
    return new ContainerLogOptions(false, false, timestamps, tail, since, limit);
  }

  @Test
  void parsesCriLinesIncludingEmptyText() {
    byte[] raw = "2024-01-01T00:00:01.123456789+02:00 stderr F".getBytes(StandardCharsets.UTF_8);
    CriLogLine line = CriLogLine.parse(raw, raw.length);
    assertThat(line.timestamp()).isEqualTo(Instant.parse("2023-12-31T22:00:01.123456789Z"));
    assertThat(line.stream()).isEqualTo("stderr");
    assertThat(line.partial()).isFalse();
    assertThat(line.content()).isEmpty();
    byte[] partial = "2024-01-01T00:00:01Z stdout P a b ".getBytes(StandardCharsets.UTF_8);
    CriLogLine parsed = CriLogLine.parse(partial, partial.length);
    assertThat(parsed.partial()).isTrue();
    assertThat(new String(parsed.content(), StandardCharsets.UTF_8)).isEqualTo("a b ");
    byte[] junk = "not a log line".getBytes(StandardCharsets.UTF_8);
    assertThat(CriLogLine.parse(junk, junk.length)).isNull();
  }

  @Test
  void joinsPartialLinesPerStreamAndPrefixesTheFirstPartsTimestamp() throws Exception {
    Path log =
        file(
            "0.log",
            line(1, "stdout", "P", "hel"),
            line(2, "stderr", "F", "oops"),
            line(3, "stdout", "F", "lo"),
            line(4, "stdout", "F", ""));
    assertThat(read(log, List.of(), ContainerLogOptions.DEFAULT)).isEqualTo("oops\nhello\n\n");
    assertThat(read(log, List.of(), options(true, -1, null, -1)))
        .isEqualTo(
            "2024-01-01T00:00:02.5Z oops\n"
                + "2024-01-01T00:00:01.5Z hello\n"
                + "2024-01-01T00:00:04.5Z \n");
  }

  @Test
  void tailLinesReachesIntoRotatedFilesOnlyWhenNeeded() throws Exception {
    Path older =
        file("0.log.20240101-000000", line(1, "stdout", "F", "a"), line(2, "stdout", "F", "b"));
    Path old = file("0.log.20240101-000010", line(3, "stdout", "F", "c"));
    Path current = file("0.log", line(4, "stdout", "F", "d"), line(5, "stdout", "F", "e"));
    List<Path> rotated = List.of(older, old);

    assertThat(read(current, rotated, options(false, 2, null, -1))).isEqualTo("d\ne\n");
    assertThat(read(current, rotated, options(false, 4, null, -1))).isEqualTo("b\nc\nd\ne\n");
    assertThat(read(current, rotated, options(false, 100, null, -1))).isEqualTo("a\nb\nc\nd\ne\n");
    assertThat(read(current, rotated, options(false, 0, null, -1))).isEmpty();
    // no tail and no since: the current file, as the kubelet reads it
    assertThat(read(current, rotated, ContainerLogOptions.DEFAULT)).isEqualTo("d\ne\n");
  }

  @Test
  void sinceSkipsOlderLinesAcrossRotatedFiles() throws Exception {
    Path old =
        file("0.log.20240101-000000", line(1, "stdout", "F", "a"), line(2, "stdout", "F", "b"));
    Path current = file("0.log", line(3, "stdout", "F", "c"));
    assertThat(
            read(
                current,
                List.of(old),
                options(false, -1, Instant.parse("2024-01-01T00:00:02Z"), -1)))
        .isEqualTo("b\nc\n");
    assertThat(
            read(
                current,
                List.of(old),
                options(false, 1, Instant.parse("2024-01-01T00:00:02Z"), -1)))
        .isEqualTo("c\n");
    assertThat(
            read(
                current,
                List.of(old),
                options(false, -1, Instant.parse("2024-01-01T00:00:09Z"), -1)))
        .isEmpty();
  }

  @Test
  void limitBytesCutsTheOutputIncludingTimestamps() throws Exception {
    Path log = file("0.log", line(1, "stdout", "F", "hello world"), line(2, "stdout", "F", "more"));
    assertThat(read(log, List.of(), options(false, -1, null, 5))).isEqualTo("hello");
    assertThat(read(log, List.of(), options(true, -1, null, 10))).isEqualTo("2024-01-01");
    assertThat(read(log, List.of(), options(false, -1, null, 12))).isEqualTo("hello world\n");
  }

  @Test
  void followStreamsNewLinesAcrossRotationUntilTheContainerStops() throws Exception {
    Path log = file("0.log", line(1, "stdout", "F", "first"));
    AtomicBoolean running = new AtomicBoolean(true);
    StringBuffer out = new StringBuffer();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread follower =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    reader.read(
                        log,
                        List.of(),
                        new ContainerLogOptions(true, false, false, 1, null, -1),
                        running::get,
                        (b, o, l) -> out.append(new String(b, o, l, StandardCharsets.UTF_8)));
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
    await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().equals("first\n"));
    // a line written in two pieces is shown once complete
    Files.writeString(log, "2024-01-01T00:00:02Z stdout F sec", StandardOpenOption.APPEND);
    Thread.sleep(100);
    assertThat(out.toString()).isEqualTo("first\n");
    Files.writeString(log, "ond\n", StandardOpenOption.APPEND);
    await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().equals("first\nsecond\n"));
    // rotation: the file is renamed and the runtime writes a new one
    Files.writeString(log, line(3, "stdout", "F", "third"), StandardOpenOption.APPEND);
    Files.move(log, dir.resolve("0.log.20240101-000003"));
    Files.writeString(log, line(4, "stdout", "F", "fourth"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> out.toString().equals("first\nsecond\nthird\nfourth\n"));
    Files.writeString(log, line(5, "stdout", "F", "last words"), StandardOpenOption.APPEND);
    running.set(false);
    follower.join(Duration.ofSeconds(10));
    assertThat(follower.isAlive()).isFalse();
    assertThat(failure.get()).isNull();
    assertThat(out.toString()).isEqualTo("first\nsecond\nthird\nfourth\nlast words\n");
  }

  @Test
  void followEndsWhenTheSinkFails() throws Exception {
    Path log = file("0.log", line(1, "stdout", "F", "x"));
    assertThatThrownBy(
            () ->
                reader.read(
                    log,
                    List.of(),
                    new ContainerLogOptions(true, false, false, -1, null, -1),
                    () -> true,
                    (b, o, l) -> {
                      throw new java.io.IOException("client went away");
                    }))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void queryOptionsAreReadAndValidatedAsTheKubeletDoes() {
    InstantSource clock = InstantSource.fixed(Instant.parse("2024-01-01T00:01:00Z"));
    ContainerLogOptions options =
        ContainerLogOptions.fromQuery(
            Map.of(
                "follow", List.of("true"),
                "timestamps", List.of("1"),
                "tailLines", List.of("7"),
                "sinceSeconds", List.of("30"),
                "limitBytes", List.of("100")),
            clock);
    assertThat(options)
        .isEqualTo(
            new ContainerLogOptions(
                true, false, true, 7, Instant.parse("2024-01-01T00:00:30Z"), 100));
    assertThat(
            ContainerLogOptions.fromQuery(
                Map.of("sinceTime", List.of("2024-01-01T00:00:10Z"), "previous", List.of("true")),
                clock))
        .isEqualTo(
            new ContainerLogOptions(
                false, true, false, -1, Instant.parse("2024-01-01T00:00:10Z"), -1));
    assertThatThrownBy(
            () ->
                ContainerLogOptions.fromQuery(
                    Map.of(
                        "sinceTime", List.of("2024-01-01T00:00:10Z"), "sinceSeconds", List.of("5")),
                    clock))
        .hasMessageContaining("at most one of sinceTime or sinceSeconds");
    assertThatThrownBy(
            () -> ContainerLogOptions.fromQuery(Map.of("tailLines", List.of("-1")), clock))
        .isInstanceOf(ContainerLogOptions.InvalidLogOptions.class);
    assertThatThrownBy(
            () -> ContainerLogOptions.fromQuery(Map.of("limitBytes", List.of("0")), clock))
        .isInstanceOf(ContainerLogOptions.InvalidLogOptions.class);
  }

  @Test
  void timestampsPrintAsGoRfc3339Nano() {
    assertThat(ContainerLogReader.formatTimestamp(Instant.parse("2024-01-01T00:00:01.120000000Z")))
        .isEqualTo("2024-01-01T00:00:01.12Z");
    assertThat(ContainerLogReader.formatTimestamp(Instant.parse("2024-01-01T00:00:01Z")))
        .isEqualTo("2024-01-01T00:00:01Z");
  }
}
