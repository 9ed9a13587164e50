package dev.skiff.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.kubelet.volume.AtomicWriter.FileProjection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AtomicWriterTest {
  @TempDir Path tmp;
  private Path dirHolder;
  private AtomicWriter writer;

  @BeforeEach
  void setUp() {
    dirHolder = tmp.resolve("volume");
    writer =
        new AtomicWriter(dirHolder, InstantSource.fixed(Instant.parse("2026-11-25T13:00:00Z")));
  }

  private static FileProjection file(String text, int mode) {
    return new FileProjection(text.getBytes(StandardCharsets.UTF_8), mode);
  }

  private static String read(Path path) throws IOException {
    return Files.readString(path, StandardCharsets.UTF_8);
  }

  @Test
  void writesTimestampedDirDataLinkAndVisibleLinks() throws IOException {
    boolean changed = writer.write(Map.of("a", file("one", 0644), "nested/b", file("two", 0400)));

    Path target = dirHolder;
    assertThat(changed).isTrue();
    Path data = target.resolve("..data");
    assertThat(Files.isSymbolicLink(data)).isTrue();
    String tsName = Files.readSymbolicLink(data).toString();
    assertThat(tsName).startsWith("..2026_11_25_13_00_00.");
    assertThat(Files.readSymbolicLink(target.resolve("a"))).isEqualTo(Path.of("..data/a"));
    assertThat(Files.readSymbolicLink(target.resolve("nested")))
        .isEqualTo(Path.of("..data/nested"));
    assertThat(read(target.resolve("a"))).isEqualTo("one");
    assertThat(read(target.resolve("nested/b"))).isEqualTo("two");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(target.resolve(tsName).resolve("nested/b"))))
        .isEqualTo("r--------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("a"))))
        .isEqualTo("rw-r--r--");
    assertThat(Files.exists(target.resolve("..data_tmp"), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void unchangedPayloadIsNotRewritten() throws IOException {
    writer.write(Map.of("a", file("one", 0644)));
    Path before = Files.readSymbolicLink(dirHolder.resolve("..data"));

    boolean changed = writer.write(Map.of("a", file("one", 0644)));

    assertThat(changed).isFalse();
    assertThat(Files.readSymbolicLink(dirHolder.resolve("..data"))).isEqualTo(before);
  }

  @Test
  void updateSwapsContentRemovesOldKeysAndOldTimestampDir() throws IOException {
    writer.write(Map.of("a", file("one", 0644), "gone", file("x", 0644)));
    Path oldTs = dirHolder.resolve(Files.readSymbolicLink(dirHolder.resolve("..data")).toString());

    boolean changed = writer.write(Map.of("a", file("uno", 0644), "new", file("n", 0600)));

    assertThat(changed).isTrue();
    assertThat(read(dirHolder.resolve("a"))).isEqualTo("uno");
    assertThat(read(dirHolder.resolve("new"))).isEqualTo("n");
    assertThat(Files.exists(dirHolder.resolve("gone"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.exists(oldTs)).isFalse();
    try (Stream<Path> entries = Files.list(dirHolder)) {
      assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("..2")))
          .hasSize(1);
    }
  }

  @Test
  void modeChangeAloneIsAnUpdate() throws IOException {
    writer.write(Map.of("a", file("one", 0644)));

    assertThat(writer.write(Map.of("a", file("one", 0600)))).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dirHolder.resolve("a"))))
        .isEqualTo("rw-------");
  }

  @Test
  void aReaderHoldingTheOldPathKeepsSeeingOneVersion() throws IOException {
    writer.write(Map.of("a", file("one", 0644)));
    Path resolvedBefore = dirHolder.resolve("a").toRealPath();

    writer.write(Map.of("a", file("two", 0644)));

    assertThat(dirHolder.resolve("a").toRealPath()).isNotEqualTo(resolvedBefore);
    assertThat(read(dirHolder.resolve("a"))).isEqualTo("two");
  }

  @Test
  void emptyPayloadLeavesOnlyTheDataLink() throws IOException {
    writer.write(Map.of("a", file("one", 0644)));

    writer.write(Map.of());

    try (Stream<Path> entries = Files.list(dirHolder)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).toList();
      assertThat(names).contains("..data").doesNotContain("a").hasSize(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/abs", "../up", "a/../../b", "..hidden", ""})
  void rejectsPathsThatEscapeOrCollide(String path) {
    assertThatThrownBy(() -> writer.write(Map.of(path, file("x", 0644))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid path");
  }

  @Test
  void modeBitsRoundTrip() {
    for (int mode : new int[] {0, 0400, 0644, 0755, 0777, 0640}) {
      assertThat(AtomicWriter.mode(AtomicWriter.permissions(mode))).isEqualTo(mode);
    }
  }
}
