package dev.skiff.kubelet.eviction;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.image.ImageGarbageCollector;
import dev.skiff.kubelet.runtime.ContainerdOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the kubelet guards the node's resources: hard eviction thresholds and image garbage
 * collection, over the signals they measure.
 *
 * @param evictionHard the hard eviction thresholds ({@code --eviction-hard}); empty for none
 * @param imageGc the image garbage collection policy ({@code --image-gc-high-threshold} ...)
 * @param signals the node's measurements (injectable: tests simulate pressure with their own)
 * @param evictionPeriod how often eviction signals are checked (the kubelet: 10 s)
 * @param imageGcPeriod how often images are collected (the kubelet: 5 min)
 * @param transitionPeriod how long a pressure condition stays after its threshold last held
 */
public record NodePressure(
    List<Threshold> evictionHard,
    ImageGarbageCollector.Policy imageGc,
    EvictionSignals signals,
    Duration evictionPeriod,
    Duration imageGcPeriod,
    Duration transitionPeriod) {

  public NodePressure {
    evictionHard = List.copyOf(evictionHard);
  }

  /**
   * The kubelet's periods over this host's signals: nodefs is the data directory's filesystem,
   * imagefs containerd's root under it.
   */
  public static NodePressure forHost(
      CriClient cri, Path dataDir, List<Threshold> evictionHard, ImageGarbageCollector.Policy gc) {
    Path imagefs = ContainerdOptions.defaults(dataDir).rootDir();
    return new NodePressure(
        evictionHard,
        gc,
        new HostEvictionSignals(cri, dataDir, imagefs, Path.of("/proc"), Path.of("/sys/fs/cgroup")),
        Duration.ofSeconds(10),
        Duration.ofMinutes(5),
        Duration.ofMinutes(5));
  }
}
