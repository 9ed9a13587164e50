package dev.skiff.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.List;

/** The node lifecycle controller's writes. */
public interface NodeWriter {
  void updateStatus(Node node);

  /** Replaces spec.taints (guarded by resourceVersion). */
  void setTaints(Node node, List<Taint> taints);

  /** Evicts a pod from a tainted node (a delete with its default grace period). */
  void evict(Pod pod);
}
