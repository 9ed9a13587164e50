package dev.skiff.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.UserInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class AuditLogTest {
  @TempDir Path dir;

  private static AuditEvent event(int n) {
    return new AuditEvent(
        "id-" + n,
        "/api/v1/namespaces/default/pods/p" + n,
        "get",
        new UserInfo("alice", "", List.of("dev", "system:authenticated"), Map.of()),
        null,
        List.of("127.0.0.1"),
        "kubectl/v1.32.0",
        new AuditEvent.ObjectRef("pods", "default", "p" + n, "", "v1", ""),
        200,
        Instant.parse("2026-11-25T10:00:00.123456Z"),
        Instant.parse("2026-11-25T10:00:00.223456Z"),
        Map.of());
  }

  private static List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      events.add(Json.MAPPER.readTree(line));
    }
    return events;
  }

  @Test
  void eventIsOneJsonLineInTheShapeOfAuditV1() throws Exception {
    Path file = dir.resolve("audit.log");
    try (AuditLog log = new AuditLog(file, 0, 0, InstantSource.system())) {
      log.write(event(1));
    }

    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    JsonNode event = lines(file).getFirst();
    assertThat(event.path("kind").asString()).isEqualTo("Event");
    assertThat(event.path("apiVersion").asString()).isEqualTo("audit.k8s.io/v1");
    assertThat(event.path("level").asString()).isEqualTo("Metadata");
    assertThat(event.path("stage").asString()).isEqualTo("ResponseComplete");
    assertThat(event.path("auditID").asString()).isEqualTo("id-1");
    assertThat(event.path("requestURI").asString()).isEqualTo("/api/v1/namespaces/default/pods/p1");
    assertThat(event.path("verb").asString()).isEqualTo("get");
    assertThat(event.at("/user/username").asString()).isEqualTo("alice");
    assertThat(event.at("/user/groups/0").asString()).isEqualTo("dev");
    assertThat(event.has("impersonatedUser")).isFalse();
    assertThat(event.at("/sourceIPs/0").asString()).isEqualTo("127.0.0.1");
    assertThat(event.path("userAgent").asString()).isEqualTo("kubectl/v1.32.0");
    assertThat(event.at("/objectRef/resource").asString()).isEqualTo("pods");
    assertThat(event.at("/objectRef/namespace").asString()).isEqualTo("default");
    assertThat(event.at("/objectRef/name").asString()).isEqualTo("p1");
    assertThat(event.at("/objectRef/apiVersion").asString()).isEqualTo("v1");
    assertThat(event.path("objectRef").has("apiGroup")).isFalse();
    assertThat(event.path("objectRef").has("subresource")).isFalse();
    assertThat(event.at("/responseStatus/code").asInt()).isEqualTo(200);
    assertThat(event.path("requestReceivedTimestamp").asString())
        .isEqualTo("2026-11-25T10:00:00.123456Z");
    assertThat(event.path("stageTimestamp").asString()).isEqualTo("2026-11-25T10:00:00.223456Z");
  }

  @Test
  void rotatesBySizeAndKeepsTheNewestBackups() throws Exception {
    Path file = dir.resolve("audit.log");
    int lineBytes = Json.bytes(event(10).toJson()).length + 1;
    AtomicLong millis = new AtomicLong(Instant.parse("2026-11-25T10:00:00Z").toEpochMilli());
    InstantSource clock = () -> Instant.ofEpochMilli(millis.addAndGet(1000));
    // room for two lines per file; ten events make five files: the current one and four backups,
    // of which two are kept
    try (AuditLog log = new AuditLog(file, 2L * lineBytes + 1, 2, clock)) {
      for (int n = 10; n < 20; n++) {
        log.write(event(n));
      }
    }

    List<Path> backups;
    try (Stream<Path> files = Files.list(dir)) {
      backups = files.filter(p -> !p.equals(file)).sorted().toList();
    }
    assertThat(backups).hasSize(2);
    assertThat(backups)
        .allSatisfy(
            p -> assertThat(p.getFileName().toString()).matches("audit-2026-11-25T10-00-.*\\.log"));
    assertThat(lines(file))
        .extracting(e -> e.path("auditID").asString())
        .containsExactly("id-18", "id-19");
    assertThat(lines(backups.get(1)))
        .extracting(e -> e.path("auditID").asString())
        .containsExactly("id-16", "id-17");
    assertThat(lines(backups.get(0)))
        .extracting(e -> e.path("auditID").asString())
        .containsExactly("id-14", "id-15");
    assertThat(Files.size(file)).isLessThanOrEqualTo(2L * lineBytes + 1);
  }

  @Test
  void appendsToAnExistingFile() throws Exception {
    Path file = dir.resolve("audit.log");
    try (AuditLog log = new AuditLog(file, 0, 0, InstantSource.system())) {
      log.write(event(1));
    }
    try (AuditLog log = new AuditLog(file, 0, 0, InstantSource.system())) {
      log.write(event(2));
      log.write(event(3));
    }

    assertThat(lines(file))
        .extracting(e -> e.path("auditID").asString())
        .containsExactly("id-1", "id-2", "id-3");
  }
}
