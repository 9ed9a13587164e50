package dev.skiff.scheduler.framework;

import java.util.List;

/** Pods nominated to run on a node once preemption victims are gone. */
public interface Nominator {
  List<PodInfo> nominatedPodsForNode(String nodeName);

  void addNominatedPod(PodInfo pod, String nodeName);

  void deleteNominatedPodIfExists(PodInfo pod);
}
