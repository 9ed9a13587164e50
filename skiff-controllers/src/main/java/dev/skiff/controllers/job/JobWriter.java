package dev.skiff.controllers.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** The Job controller's writes besides pod creation and deletion. */
public interface JobWriter {
  Job updateStatus(Job job);

  /** Removes the job-tracking finalizer from a pod (ignores a pod that is gone). */
  void removeTrackingFinalizer(Pod pod);
}
