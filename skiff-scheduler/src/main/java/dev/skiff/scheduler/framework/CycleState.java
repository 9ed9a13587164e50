package dev.skiff.scheduler.framework;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Data plugins share during one scheduling cycle. Written by PreFilter/PreScore on the scheduling
 * thread and only read by the concurrent Filter/Score calls that follow.
 */
public final class CycleState {
  private final Map<String, StateData> data;
  private final Set<String> skipFilterPlugins;
  private final Set<String> skipScorePlugins;

  public CycleState() {
    this(new HashMap<>(), new HashSet<>(), new HashSet<>());
  }

  private CycleState(Map<String, StateData> data, Set<String> skipFilter, Set<String> skipScore) {
    this.data = data;
    this.skipFilterPlugins = skipFilter;
    this.skipScorePlugins = skipScore;
  }

  public void write(String key, StateData value) {
    data.put(key, value);
  }

  @SuppressWarnings("unchecked")
  public <T extends StateData> T read(String key) {
    return (T) data.get(key);
  }

  public Set<String> skipFilterPlugins() {
    return skipFilterPlugins;
  }

  public Set<String> skipScorePlugins() {
    return skipScorePlugins;
  }

  /** A deep copy for what-if evaluation (preemption, nominated pods). */
  public CycleState copy() {
    Map<String, StateData> copied = new HashMap<>();
    data.forEach((k, v) -> copied.put(k, v.copy()));
    return new CycleState(
        copied, new HashSet<>(skipFilterPlugins), new HashSet<>(skipScorePlugins));
  }
}
