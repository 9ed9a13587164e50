package dev.skiff.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogManagerTest {
  @TempDir Path dir;

  private FakeRuntimeService runtime;
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2024-01-01T00:00:00Z"));
  private ContainerLogManager manager;
  private Path log;

  @BeforeEach
  void setUp() throws Exception {
    runtime = new FakeRuntimeService();
    log = dir.resolve("app").resolve("0.log");
    Files.createDirectories(log.getParent());
    runtime.addContainer("c1", "default", "web", "app", 0, true, log);
    manager = new ContainerLogManager(runtime.client, 100, 3, now::get);
  }

  @AfterEach
  void tearDown() {
    manager.close();
    runtime.close();
  }

  private static String lines(int count) {
    return "2024-01-01T00:00:00Z stdout F 0123456789\n".repeat(count);
  }

  @Test
  void aFileOverTheLimitIsRenamedAndTheRuntimeReopensItsLog() throws Exception {
    Files.writeString(log, lines(1));
    manager.rotateAll();
    assertThat(runtime.reopened).isEmpty();
    assertThat(ContainerLogManager.rotatedFiles(log)).isEmpty();

    Files.writeString(log, lines(5));
    manager.rotateAll();
    assertThat(runtime.reopened).containsExactly("c1");
    assertThat(ContainerLogManager.rotatedFiles(log))
        .containsExactly(dir.resolve("app/0.log.20240101-000000"));
    assertThat(Files.readString(dir.resolve("app/0.log.20240101-000000"))).isEqualTo(lines(5));
    assertThat(Files.size(log)).isZero();
  }

  @Test
  void atMostMaxFilesAreKeptIncludingTheCurrentOne() throws Exception {
    for (int i = 0; i < 4; i++) {
      Files.writeString(log, lines(5));
      manager.rotateAll();
      now.set(now.get().plusSeconds(10));
    }
    assertThat(runtime.reopened).hasSize(4);
    // 3 files: the current one and the two newest rotated ones
    assertThat(ContainerLogManager.rotatedFiles(log))
        .containsExactly(
            dir.resolve("app/0.log.20240101-000020"), dir.resolve("app/0.log.20240101-000030"));
  }

  @Test
  void rotationsWithinOneSecondGetDistinctNamesInOrder() throws Exception {
    Files.writeString(log, lines(5));
    manager.rotateAll();
    Files.writeString(log, lines(5));
    manager.rotateAll();
    assertThat(ContainerLogManager.rotatedFiles(log))
        .containsExactly(
            dir.resolve("app/0.log.20240101-000000"), dir.resolve("app/0.log.20240101-000000.1"));
  }

  @Test
  void stoppedContainersAreLeftAlone() throws Exception {
    runtime.setRunning("c1", false);
    Files.writeString(log, lines(5));
    manager.rotateAll();
    assertThat(runtime.reopened).isEmpty();
  }
}
