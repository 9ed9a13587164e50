package dev.skiff.kubelet.eviction;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerStats;
import dev.skiff.kubelet.cri.v1.ListContainerStatsRequest;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eviction signals of this host: memory available is the memory total minus the root memory
 * cgroup's working set (usage less inactive file pages), as the kubelet computes it; nodefs is the
 * filesystem of the kubelet's data directory and imagefs that of containerd's root (bytes and
 * inodes); pids are {@code pid_max} minus the processes running. Containers' use comes from CRI's
 * container stats: the memory working set, and the writable layer for disk.
 */
public final class HostEvictionSignals implements EvictionSignals {
  private static final Logger LOG = LoggerFactory.getLogger(HostEvictionSignals.class);

  private final CriClient cri;
  private final Path nodefs;
  private final Path imagefs;
  private final Path procRoot;
  private final Path cgroupRoot;
  private volatile Map<String, Map<String, long[]>> containerStats = Map.of();

  public HostEvictionSignals(
      CriClient cri, Path nodefs, Path imagefs, Path procRoot, Path cgroupRoot) {
    this.cri = cri;
    this.nodefs = nodefs;
    this.imagefs = imagefs;
    this.procRoot = procRoot;
    this.cgroupRoot = cgroupRoot;
  }

  @Override
  public Map<Signal, Observation> observe() {
    Map<Signal, Observation> out = new EnumMap<>(Signal.class);
    memory().ifPresent(o -> out.put(Signal.MEMORY_AVAILABLE, o));
    filesystem(nodefs, Signal.NODEFS_AVAILABLE, Signal.NODEFS_INODES_FREE, out);
    filesystem(imagefs, Signal.IMAGEFS_AVAILABLE, Signal.IMAGEFS_INODES_FREE, out);
    pids().ifPresent(o -> out.put(Signal.PID_AVAILABLE, o));
    containerStats = readContainerStats();
    return out;
  }

  @Override
  public Map<String, Long> containerUsage(Pod pod, Signal signal) {
    Map<String, long[]> containers = containerStats.get(pod.getMetadata().getUid());
    if (containers == null) {
      return Map.of();
    }
    Map<String, Long> out = new HashMap<>();
    int index = signal.disk() ? 1 : 0;
    containers.forEach(
        (name, values) -> {
          if (values[index] >= 0) {
            out.put(name, values[index]);
          }
        });
    return out;
  }

  private java.util.Optional<Observation> memory() {
    Long total = meminfo("MemTotal");
    if (total == null) {
      return java.util.Optional.empty();
    }
    Long usage = readLong(cgroupRoot.resolve("memory/memory.usage_in_bytes"));
    long workingSet;
    if (usage != null) {
      long inactive = memoryStat("total_inactive_file");
      workingSet = Math.max(0, usage - inactive);
    } else {
      Long available = meminfo("MemAvailable");
      workingSet = available == null ? 0 : total - available;
    }
    return java.util.Optional.of(new Observation(Math.max(0, total - workingSet), total));
  }

  private void filesystem(Path path, Signal bytes, Signal inodes, Map<Signal, Observation> out) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    try {
      FileStore store = Files.getFileStore(existing);
      out.put(bytes, new Observation(store.getUsableSpace(), store.getTotalSpace()));
    } catch (IOException e) {
      LOG.debug("filesystem not measured path={} error={}", path, e.toString());
    }
    long[] inodeCounts = inodes(existing);
    if (inodeCounts != null && inodeCounts[0] > 0) {
      out.put(inodes, new Observation(inodeCounts[1], inodeCounts[0]));
    }
  }

  /** Total and free inodes of the filesystem holding {@code path} ({@code stat -f}). */
  private static long[] inodes(Path path) {
    try {
      Process p =
          new ProcessBuilder("stat", "-f", "-c", "%c %d", path.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      String[] f = output.split("\\s+");
      return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private java.util.Optional<Observation> pids() {
    Long max = readLong(procRoot.resolve("sys/kernel/pid_max"));
    try {
      String[] loadavg = Files.readString(procRoot.resolve("loadavg")).strip().split("\\s+");
      long running = Long.parseLong(loadavg[3].substring(loadavg[3].indexOf('/') + 1));
      return max == null
          ? java.util.Optional.empty()
          : java.util.Optional.of(new Observation(Math.max(0, max - running), max));
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /** Per pod uid and container name: memory working set and writable layer bytes (-1 unknown). */
  private Map<String, Map<String, long[]>> readContainerStats() {
    Map<String, Map<String, long[]>> out = new HashMap<>();
    try {
      List<ContainerStats> stats =
          cri.runtime()
              .listContainerStats(ListContainerStatsRequest.getDefaultInstance())
              .getStatsList();
      for (ContainerStats s : stats) {
        Map<String, String> labels = s.getAttributes().getLabelsMap();
        String uid = labels.get(CriLabels.POD_UID);
        String name = labels.get(CriLabels.CONTAINER_NAME);
        if (uid == null || name == null) {
          continue;
        }
        long memory =
            s.getMemory().hasWorkingSetBytes() ? s.getMemory().getWorkingSetBytes().getValue() : -1;
        long disk =
            s.getWritableLayer().hasUsedBytes()
                ? s.getWritableLayer().getUsedBytes().getValue()
                : -1;
        out.computeIfAbsent(uid, u -> new HashMap<>()).put(name, new long[] {memory, disk});
      }
    } catch (RuntimeException e) {
      LOG.debug("container stats not read error={}", e.toString());
    }
    return out;
  }

  private Long meminfo(String key) {
    try {
      for (String line : Files.readAllLines(procRoot.resolve("meminfo"))) {
        if (line.startsWith(key + ":")) {
          String[] f = line.substring(key.length() + 1).strip().split("\\s+");
          return Long.parseLong(f[0]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return null;
    }
    return null;
  }

  private long memoryStat(String key) {
    try {
      for (String line : Files.readAllLines(cgroupRoot.resolve("memory/memory.stat"))) {
        if (line.startsWith(key + " ")) {
          return Long.parseLong(line.substring(key.length() + 1).strip());
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  private static Long readLong(Path file) {
    try {
      return Long.parseLong(Files.readString(file).strip());
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }
}
