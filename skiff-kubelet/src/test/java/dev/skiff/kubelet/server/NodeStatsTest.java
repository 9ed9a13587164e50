package dev.skiff.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerAttributes;
import dev.skiff.kubelet.cri.v1.ContainerStats;
import dev.skiff.kubelet.cri.v1.CpuUsage;
import dev.skiff.kubelet.cri.v1.MemoryUsage;
import dev.skiff.kubelet.cri.v1.UInt64Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Summary API and resource metrics from a fake /proc, a fake cgroup v1 tree and fake CRI stats. */
class NodeStatsTest {
  @TempDir Path dir;

  private FakeRuntimeService runtime;
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2024-01-01T00:00:10Z"));
  private NodeStats stats;

  @BeforeEach
  void setUp() throws Exception {
    Path proc = dir.resolve("proc");
    Path cgroup = dir.resolve("cgroup");
    Files.createDirectories(proc.resolve("net"));
    Files.createDirectories(cgroup.resolve("cpuacct"));
    Files.createDirectories(cgroup.resolve("memory"));
    Files.writeString(
        proc.resolve("stat"),
        "cpu  100 0 50 1000 10 0 0 0 0 0\ncpu0 100 0 50 1000 10 0 0 0 0 0\nbtime 1700000000\n");
    Files.writeString(
        proc.resolve("meminfo"),
        "MemTotal:        4000000 kB\nMemFree:         1000000 kB\nMemAvailable:    2000000 kB\n");
    Files.writeString(
        proc.resolve("net/dev"),
        "Inter-|   Receive                                                |  Transmit\n"
            + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets"
            + " errs drop fifo colls carrier compressed\n"
            + "    lo:  999 9 0 0 0 0 0 0  999 9 0 0 0 0 0 0\n"
            + "  eth0: 5000 50 1 0 0 0 0 0 7000 70 2 0 0 0 0 0\n");
    Files.writeString(cgroup.resolve("cpuacct/cpuacct.usage"), "2000000000\n");
    Files.writeString(cgroup.resolve("memory/memory.usage_in_bytes"), "3000000000\n");
    Files.writeString(
        cgroup.resolve("memory/memory.stat"),
        "cache 10\nrss 20\ntotal_rss 1500000000\ntotal_inactive_file 1000000000\n"
            + "total_pgfault 77\ntotal_pgmajfault 3\n");
    runtime = new FakeRuntimeService();
    runtime.addContainer("c1", "default", "web", "app", 0, true, null);
    runtime.addContainer("c2", "default", "web", "sidecar", 0, true, null);
    setContainerStats(1_000_000_000L, 1_000_000_000L);
    stats = new NodeStats("node1", proc, cgroup, runtime.client, now::get, dir);
  }

  private void setContainerStats(long appCpu, long sidecarCpu) {
    runtime.stats.clear();
    runtime.stats.add(containerStats("c1", "app", appCpu, 100_000_000L));
    runtime.stats.add(containerStats("c2", "sidecar", sidecarCpu, 50_000_000L));
  }

  private ContainerStats containerStats(String id, String name, long cpuNanos, long workingSet) {
    long time = now.get().getEpochSecond() * 1_000_000_000L;
    return ContainerStats.newBuilder()
        .setAttributes(
            ContainerAttributes.newBuilder()
                .setId(id)
                .putLabels(CriLabels.POD_NAMESPACE, "default")
                .putLabels(CriLabels.POD_NAME, "web")
                .putLabels(CriLabels.POD_UID, "web-uid")
                .putLabels(CriLabels.CONTAINER_NAME, name))
        .setCpu(
            CpuUsage.newBuilder()
                .setTimestamp(time)
                .setUsageCoreNanoSeconds(UInt64Value.newBuilder().setValue(cpuNanos)))
        .setMemory(
            MemoryUsage.newBuilder()
                .setTimestamp(time)
                .setWorkingSetBytes(UInt64Value.newBuilder().setValue(workingSet))
                .setUsageBytes(UInt64Value.newBuilder().setValue(workingSet * 2))
                .setRssBytes(UInt64Value.newBuilder().setValue(workingSet / 2)))
        .build();
  }

  @AfterEach
  void tearDown() {
    runtime.close();
  }

  @Test
  void summaryHasNodeAndPodUsage() throws Exception {
    JsonNode summary = Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(stats.summary()));
    JsonNode node = summary.get("node");
    assertThat(node.get("nodeName").asString()).isEqualTo("node1");
    assertThat(node.get("startTime").asString()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(node.get("cpu").get("usageCoreNanoSeconds").asLong()).isEqualTo(2_000_000_000L);
    // the first scrape has no rate yet
    assertThat(node.get("cpu").has("usageNanoCores")).isFalse();
    JsonNode memory = node.get("memory");
    assertThat(memory.get("usageBytes").asLong()).isEqualTo(3_000_000_000L);
    assertThat(memory.get("workingSetBytes").asLong()).isEqualTo(2_000_000_000L);
    assertThat(memory.get("rssBytes").asLong()).isEqualTo(1_500_000_000L);
    assertThat(memory.get("availableBytes").asLong()).isEqualTo(4_096_000_000L - 2_000_000_000L);
    assertThat(memory.get("pageFaults").asLong()).isEqualTo(77);
    assertThat(memory.get("majorPageFaults").asLong()).isEqualTo(3);
    JsonNode network = node.get("network");
    assertThat(network.get("name").asString()).isEqualTo("eth0");
    assertThat(network.get("rxBytes").asLong()).isEqualTo(5000);
    assertThat(network.get("txErrors").asLong()).isEqualTo(2);
    assertThat(node.get("fs").get("capacityBytes").asLong()).isPositive();

    JsonNode pod = summary.get("pods").get(0);
    assertThat(pod.get("podRef").get("name").asString()).isEqualTo("web");
    assertThat(pod.get("podRef").get("uid").asString()).isEqualTo("web-uid");
    assertThat(pod.get("containers")).hasSize(2);
    assertThat(pod.get("cpu").get("usageCoreNanoSeconds").asLong()).isEqualTo(2_000_000_000L);
    assertThat(pod.get("memory").get("workingSetBytes").asLong()).isEqualTo(150_000_000L);
    JsonNode app = pod.get("containers").get(0);
    assertThat(app.get("name").asString()).isEqualTo("app");
    assertThat(app.get("memory").get("usageBytes").asLong()).isEqualTo(200_000_000L);
    assertThat(app.get("memory").get("rssBytes").asLong()).isEqualTo(50_000_000L);
  }

  @Test
  void usageNanoCoresIsTheRateSinceThePreviousScrape() throws Exception {
    stats.summary();
    now.set(now.get().plusSeconds(10));
    // node: +5 s of CPU in 10 s = half a core; app: +10 s in 10 s = one core
    Files.writeString(dir.resolve("cgroup/cpuacct/cpuacct.usage"), "7000000000\n");
    setContainerStats(11_000_000_000L, 1_000_000_000L);
    JsonNode summary = Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(stats.summary()));
    assertThat(summary.get("node").get("cpu").get("usageNanoCores").asLong())
        .isEqualTo(500_000_000L);
    JsonNode pod = summary.get("pods").get(0);
    assertThat(pod.get("containers").get(0).get("cpu").get("usageNanoCores").asLong())
        .isEqualTo(1_000_000_000L);
    assertThat(pod.get("containers").get(1).get("cpu").get("usageNanoCores").asLong()).isZero();
    assertThat(pod.get("cpu").get("usageNanoCores").asLong()).isEqualTo(1_000_000_000L);
  }

  @Test
  void resourceMetricsAreInPrometheusTextFormat() {
    String metrics = stats.resourceMetrics();
    long millis = now.get().toEpochMilli();
    assertThat(metrics)
        .contains("# TYPE node_cpu_usage_seconds_total counter\n")
        .contains("node_cpu_usage_seconds_total 2 " + millis + "\n")
        .contains("node_memory_working_set_bytes 2000000000 " + millis + "\n")
        .contains(
            "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\",pod=\"web\"} 1 "
                + millis
                + "\n")
        .contains(
            "container_memory_working_set_bytes{container=\"sidecar\",namespace=\"default\",pod=\"web\"} 50000000 "
                + millis
                + "\n")
        .contains(
            "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"web\"} 2 " + millis + "\n")
        .contains(
            "pod_memory_working_set_bytes{namespace=\"default\",pod=\"web\"} 150000000 "
                + millis
                + "\n")
        .contains("# TYPE resource_scrape_error gauge\nresource_scrape_error 0\n");
  }

  @Test
  void nodeCpuFallsBackToProcStatWithoutTheCpuacctCgroup() throws Exception {
    Files.delete(dir.resolve("cgroup/cpuacct/cpuacct.usage"));
    // user 100 + system 50 jiffies = 1.5 s
    assertThat(stats.nodeCpuNanos()).isEqualTo(1_500_000_000L);
  }
}
