package dev.skiff.controllers.cronjob;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** The CronJob controller's writes. */
public interface CronJobWriter {
  /** Creates the Job; throws a 409 KubernetesClientException when it exists already. */
  Job createJob(Job job);

  /** Deletes the Job and (in the background) its pods. */
  void deleteJob(Job job);

  CronJob updateStatus(CronJob cronJob);
}
