package dev.skiff.kubelet.server;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerStats;
import dev.skiff.kubelet.cri.v1.ListContainerStatsRequest;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resource usage as the kubelet reports it: the Summary API ({@code /stats/summary},
 * stats/v1alpha1) and the resource metrics ({@code /metrics/resource}) metrics-server scrapes. The
 * node's numbers come from /proc and the root cgroups (cgroup v1: {@code cpuacct.usage}, {@code
 * memory.stat}), the containers' from CRI ListContainerStats; a pod's usage is the sum of its
 * containers'. {@code usageNanoCores} is the rate between this scrape and the previous one.
 */
public final class NodeStats {
  private final String nodeName;
  private final Path procRoot;
  private final Path cgroupRoot;
  private final CriClient cri;
  private final InstantSource clock;
  private final Path fsPath;
  private final Map<String, CpuSample> lastCpu = new ConcurrentHashMap<>();

  private record CpuSample(Instant time, long usageNanos) {}

  /** Usage of one container from the runtime. */
  record ContainerUsage(
      String namespace,
      String pod,
      String podUid,
      String container,
      Instant startTime,
      Instant time,
      Long cpuNanos,
      Long workingSet,
      Long usage,
      Long rss,
      Long pageFaults,
      Long majorPageFaults) {}

  public NodeStats(String nodeName, Path procRoot, Path cgroupRoot, CriClient cri) {
    this(nodeName, procRoot, cgroupRoot, cri, InstantSource.system(), Path.of("/"));
  }

  NodeStats(
      String nodeName,
      Path procRoot,
      Path cgroupRoot,
      CriClient cri,
      InstantSource clock,
      Path fsPath) {
    this.nodeName = nodeName;
    this.procRoot = procRoot;
    this.cgroupRoot = cgroupRoot;
    this.cri = cri;
    this.clock = clock;
    this.fsPath = fsPath;
  }

  // ---- node

  /** The node's cumulative CPU time: the root cpuacct cgroup, else the busy time in /proc/stat. */
  Long nodeCpuNanos() {
    Long cgroup = readLong(cgroupRoot.resolve("cpuacct/cpuacct.usage"));
    if (cgroup != null) {
      return cgroup;
    }
    try {
      for (String line : Files.readAllLines(procRoot.resolve("stat"))) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          long busy = 0;
          // user nice system idle iowait irq softirq steal: all but idle and iowait
          for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            if (i < f.length) {
              busy += Long.parseLong(f[i]);
            }
          }
          return busy * 10_000_000L; // USER_HZ = 100
        }
      }
    } catch (IOException | NumberFormatException e) {
      return null;
    }
    return null;
  }

  Instant bootTime() {
    try {
      for (String line : Files.readAllLines(procRoot.resolve("stat"))) {
        if (line.startsWith("btime ")) {
          return Instant.ofEpochSecond(Long.parseLong(line.substring(6).trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return null;
    }
    return null;
  }

  Map<String, Long> meminfo() {
    Map<String, Long> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(procRoot.resolve("meminfo"))) {
        String[] f = line.split("[:\\s]+");
        if (f.length >= 2) {
          long value = Long.parseLong(f[1]);
          values.put(f[0], f.length >= 3 && f[2].equals("kB") ? value * 1024 : value);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return values;
    }
    return values;
  }

  Map<String, Long> memoryStat() {
    Map<String, Long> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(cgroupRoot.resolve("memory/memory.stat"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 2) {
          values.put(f[0], Long.parseLong(f[1]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return values;
    }
    return values;
  }

  /** The node's memory: usage, working set (usage minus inactive file pages), rss, available. */
  Map<String, Object> nodeMemory(Instant now) {
    Map<String, Object> memory = new LinkedHashMap<>();
    memory.put("time", now.toString());
    Map<String, Long> info = meminfo();
    Long usage = readLong(cgroupRoot.resolve("memory/memory.usage_in_bytes"));
    Map<String, Long> stat = memoryStat();
    if (usage == null && info.containsKey("MemTotal") && info.containsKey("MemAvailable")) {
      usage = info.get("MemTotal") - info.get("MemFree");
    }
    Long workingSet = null;
    if (usage != null) {
      long inactive = stat.getOrDefault("total_inactive_file", 0L);
      workingSet = Math.max(0, usage - inactive);
    }
    Long total = info.get("MemTotal");
    if (total != null && workingSet != null) {
      memory.put("availableBytes", Math.max(0, total - workingSet));
    }
    putIfPresent(memory, "usageBytes", usage);
    putIfPresent(memory, "workingSetBytes", workingSet);
    putIfPresent(memory, "rssBytes", stat.get("total_rss"));
    putIfPresent(memory, "pageFaults", stat.get("total_pgfault"));
    putIfPresent(memory, "majorPageFaults", stat.get("total_pgmajfault"));
    return memory;
  }

  Map<String, Object> nodeNetwork(Instant now) {
    Map<String, Object> network = new LinkedHashMap<>();
    network.put("time", now.toString());
    List<Map<String, Object>> interfaces = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(procRoot.resolve("net/dev"))) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim();
        String[] f = line.substring(colon + 1).trim().split("\\s+");
        if (name.equals("lo") || f.length < 11) {
          continue;
        }
        Map<String, Object> iface = new LinkedHashMap<>();
        iface.put("name", name);
        iface.put("rxBytes", Long.parseLong(f[0]));
        iface.put("rxErrors", Long.parseLong(f[2]));
        iface.put("txBytes", Long.parseLong(f[8]));
        iface.put("txErrors", Long.parseLong(f[10]));
        interfaces.add(iface);
      }
    } catch (IOException | NumberFormatException e) {
      return network;
    }
    if (!interfaces.isEmpty()) {
      // the first interface is the default one, as the kubelet shows it at the top level
      network.putAll(interfaces.get(0));
      network.put("interfaces", interfaces);
    }
    return network;
  }

  Map<String, Object> nodeFs(Instant now) {
    Map<String, Object> fs = new LinkedHashMap<>();
    fs.put("time", now.toString());
    try {
      FileStore store = Files.getFileStore(fsPath);
      long capacity = store.getTotalSpace();
      long available = store.getUsableSpace();
      fs.put("availableBytes", available);
      fs.put("capacityBytes", capacity);
      fs.put("usedBytes", capacity - store.getUnallocatedSpace());
    } catch (IOException e) {
      return fs;
    }
    return fs;
  }

  // ---- containers

  List<ContainerUsage> containerUsage() {
    if (cri == null) {
      return List.of();
    }
    Map<String, Instant> started = new HashMap<>();
    for (var container :
        cri.runtime()
            .listContainers(ListContainersRequest.getDefaultInstance())
            .getContainersList()) {
      started.put(container.getId(), Instant.ofEpochSecond(0, container.getCreatedAt()));
    }
    List<ContainerUsage> usage = new ArrayList<>();
    for (ContainerStats stats :
        cri.runtime()
            .listContainerStats(ListContainerStatsRequest.getDefaultInstance())
            .getStatsList()) {
      Map<String, String> labels = stats.getAttributes().getLabelsMap();
      String container = labels.get(CriLabels.CONTAINER_NAME);
      if (container == null || container.equals(CriLabels.POD_INFRA_CONTAINER)) {
        continue;
      }
      long timestampNanos =
          stats.hasCpu() && stats.getCpu().getTimestamp() > 0
              ? stats.getCpu().getTimestamp()
              : stats.getMemory().getTimestamp();
      usage.add(
          new ContainerUsage(
              labels.getOrDefault(CriLabels.POD_NAMESPACE, ""),
              labels.getOrDefault(CriLabels.POD_NAME, ""),
              labels.getOrDefault(CriLabels.POD_UID, ""),
              container,
              started.get(stats.getAttributes().getId()),
              timestampNanos > 0 ? Instant.ofEpochSecond(0, timestampNanos) : clock.instant(),
              stats.getCpu().hasUsageCoreNanoSeconds()
                  ? stats.getCpu().getUsageCoreNanoSeconds().getValue()
                  : null,
              stats.getMemory().hasWorkingSetBytes()
                  ? stats.getMemory().getWorkingSetBytes().getValue()
                  : null,
              stats.getMemory().hasUsageBytes()
                  ? stats.getMemory().getUsageBytes().getValue()
                  : null,
              stats.getMemory().hasRssBytes() ? stats.getMemory().getRssBytes().getValue() : null,
              stats.getMemory().hasPageFaults()
                  ? stats.getMemory().getPageFaults().getValue()
                  : null,
              stats.getMemory().hasMajorPageFaults()
                  ? stats.getMemory().getMajorPageFaults().getValue()
                  : null));
    }
    return usage;
  }

  // ---- the two documents

  /** The Summary API document ({@code /stats/summary}). */
  public Map<String, Object> summary() {
    Instant now = clock.instant();
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("nodeName", nodeName);
    Instant boot = bootTime();
    if (boot != null) {
      node.put("startTime", boot.toString());
    }
    node.put("cpu", cpu("node", now, nodeCpuNanos()));
    node.put("memory", nodeMemory(now));
    node.put("network", nodeNetwork(now));
    node.put("fs", nodeFs(now));

    Map<String, List<ContainerUsage>> byPod = new TreeMap<>();
    for (ContainerUsage usage : containerUsage()) {
      byPod
          .computeIfAbsent(usage.namespace() + "/" + usage.pod(), k -> new ArrayList<>())
          .add(usage);
    }
    List<Map<String, Object>> pods = new ArrayList<>();
    for (List<ContainerUsage> members : byPod.values()) {
      ContainerUsage any = members.get(0);
      Map<String, Object> pod = new LinkedHashMap<>();
      pod.put(
          "podRef", Map.of("name", any.pod(), "namespace", any.namespace(), "uid", any.podUid()));
      Instant podStart =
          members.stream()
              .map(ContainerUsage::startTime)
              .filter(t -> t != null)
              .min(Instant::compareTo)
              .orElse(null);
      if (podStart != null) {
        pod.put("startTime", podStart.toString());
      }
      List<Map<String, Object>> containers = new ArrayList<>();
      long podCpu = 0;
      boolean podCpuKnown = false;
      Map<String, Long> podMemory = new LinkedHashMap<>();
      for (ContainerUsage usage : members) {
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", usage.container());
        if (usage.startTime() != null) {
          container.put("startTime", usage.startTime().toString());
        }
        container.put(
            "cpu",
            cpu(
                "container/" + any.namespace() + "/" + any.pod() + "/" + usage.container(),
                usage.time(),
                usage.cpuNanos()));
        container.put("memory", memory(usage.time(), usage));
        containers.add(container);
        if (usage.cpuNanos() != null) {
          podCpu += usage.cpuNanos();
          podCpuKnown = true;
        }
        add(podMemory, "usageBytes", usage.usage());
        add(podMemory, "workingSetBytes", usage.workingSet());
        add(podMemory, "rssBytes", usage.rss());
        add(podMemory, "pageFaults", usage.pageFaults());
        add(podMemory, "majorPageFaults", usage.majorPageFaults());
      }
      pod.put("containers", containers);
      pod.put(
          "cpu", cpu("pod/" + any.namespace() + "/" + any.pod(), now, podCpuKnown ? podCpu : null));
      Map<String, Object> memory = new LinkedHashMap<>();
      memory.put("time", now.toString());
      memory.putAll(podMemory);
      pod.put("memory", memory);
      pods.add(pod);
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("node", node);
    summary.put("pods", pods);
    return summary;
  }

  /** The resource metrics ({@code /metrics/resource}) in Prometheus text format. */
  public String resourceMetrics() {
    Instant now = clock.instant();
    StringBuilder out = new StringBuilder();
    boolean scrapeError = false;
    List<ContainerUsage> usage;
    try {
      usage = containerUsage();
    } catch (RuntimeException e) {
      usage = List.of();
      scrapeError = true;
    }
    header(
        out,
        "container_cpu_usage_seconds_total",
        "Cumulative cpu time consumed by the container in core-seconds",
        "counter");
    for (ContainerUsage u : usage) {
      if (u.cpuNanos() != null) {
        sample(
            out,
            "container_cpu_usage_seconds_total",
            containerLabels(u),
            seconds(u.cpuNanos()),
            u.time());
      }
    }
    header(
        out,
        "container_memory_working_set_bytes",
        "Current working set of the container in bytes",
        "gauge");
    for (ContainerUsage u : usage) {
      if (u.workingSet() != null) {
        sample(
            out,
            "container_memory_working_set_bytes",
            containerLabels(u),
            Long.toString(u.workingSet()),
            u.time());
      }
    }
    header(
        out,
        "container_start_time_seconds",
        "Start time of the container since unix epoch in seconds",
        "gauge");
    for (ContainerUsage u : usage) {
      if (u.startTime() != null) {
        sample(
            out,
            "container_start_time_seconds",
            containerLabels(u),
            seconds(u.startTime().getEpochSecond() * 1_000_000_000L + u.startTime().getNano()),
            u.time());
      }
    }
    Long nodeCpu = nodeCpuNanos();
    header(
        out,
        "node_cpu_usage_seconds_total",
        "Cumulative cpu time consumed by the node in core-seconds",
        "counter");
    if (nodeCpu != null) {
      sample(out, "node_cpu_usage_seconds_total", "", seconds(nodeCpu), now);
    }
    header(
        out, "node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge");
    Object nodeWorkingSet = nodeMemory(now).get("workingSetBytes");
    if (nodeWorkingSet != null) {
      sample(out, "node_memory_working_set_bytes", "", nodeWorkingSet.toString(), now);
    }
    Map<String, long[]> pods = new TreeMap<>();
    Map<String, Instant> podTimes = new HashMap<>();
    for (ContainerUsage u : usage) {
      String key = "namespace=\"" + escape(u.namespace()) + "\",pod=\"" + escape(u.pod()) + "\"";
      long[] sums = pods.computeIfAbsent(key, k -> new long[] {-1, -1});
      if (u.cpuNanos() != null) {
        sums[0] = Math.max(sums[0], 0) + u.cpuNanos();
      }
      if (u.workingSet() != null) {
        sums[1] = Math.max(sums[1], 0) + u.workingSet();
      }
      podTimes.merge(key, u.time(), (a, b) -> a.isAfter(b) ? a : b);
    }
    header(
        out,
        "pod_cpu_usage_seconds_total",
        "Cumulative cpu time consumed by the pod in core-seconds",
        "counter");
    pods.forEach(
        (labels, sums) -> {
          if (sums[0] >= 0) {
            sample(
                out, "pod_cpu_usage_seconds_total", labels, seconds(sums[0]), podTimes.get(labels));
          }
        });
    header(out, "pod_memory_working_set_bytes", "Current working set of the pod in bytes", "gauge");
    pods.forEach(
        (labels, sums) -> {
          if (sums[1] >= 0) {
            sample(
                out,
                "pod_memory_working_set_bytes",
                labels,
                Long.toString(sums[1]),
                podTimes.get(labels));
          }
        });
    header(
        out,
        "resource_scrape_error",
        "1 if there was an error while getting container metrics, 0 otherwise",
        "gauge");
    out.append("resource_scrape_error ").append(scrapeError ? 1 : 0).append('\n');
    return out.toString();
  }

  // ---- helpers

  private Map<String, Object> cpu(String key, Instant time, Long usageNanos) {
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put("time", time.toString());
    if (usageNanos == null) {
      return cpu;
    }
    CpuSample previous = lastCpu.put(key, new CpuSample(time, usageNanos));
    if (previous != null && time.isAfter(previous.time()) && usageNanos >= previous.usageNanos()) {
      long elapsed = java.time.Duration.between(previous.time(), time).toNanos();
      cpu.put(
          "usageNanoCores",
          (long) ((double) (usageNanos - previous.usageNanos()) / elapsed * 1_000_000_000L));
    }
    cpu.put("usageCoreNanoSeconds", usageNanos);
    return cpu;
  }

  private static Map<String, Object> memory(Instant time, ContainerUsage usage) {
    Map<String, Object> memory = new LinkedHashMap<>();
    memory.put("time", time.toString());
    putIfPresent(memory, "usageBytes", usage.usage());
    putIfPresent(memory, "workingSetBytes", usage.workingSet());
    putIfPresent(memory, "rssBytes", usage.rss());
    putIfPresent(memory, "pageFaults", usage.pageFaults());
    putIfPresent(memory, "majorPageFaults", usage.majorPageFaults());
    return memory;
  }

  private static void add(Map<String, Long> sums, String key, Long value) {
    if (value != null) {
      sums.merge(key, value, Long::sum);
    }
  }

  private static void putIfPresent(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  private static Long readLong(Path file) {
    try {
      return Long.parseLong(Files.readString(file).trim());
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  private static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(" [STABLE] ").append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(
      StringBuilder out, String name, String labels, String value, Instant time) {
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{').append(labels).append('}');
    }
    out.append(' ').append(value).append(' ').append(time.toEpochMilli()).append('\n');
  }

  private static String containerLabels(ContainerUsage u) {
    return "container=\""
        + escape(u.container())
        + "\",namespace=\""
        + escape(u.namespace())
        + "\",pod=\""
        + escape(u.pod())
        + "\"";
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.9f", nanos / 1e9)
        .replaceAll("0+$", "")
        .replaceAll("\\.$", "");
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
