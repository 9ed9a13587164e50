package dev.skiff.controllers.cronjob;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the CronJob controller to the API. */
public final class CronJobControllers {
  private CronJobControllers() {}

  public static ControllerRunner cronJobs(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<CronJob> cronJobs = context.informers().forType(CronJob.class);
    SharedIndexInformer<Job> jobs = context.informers().forType(Job.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("cronjob");
    CronJobController controller =
        new CronJobController(
            cronJobs.getIndexer(),
            jobs.getIndexer(),
            new CronJobWriter() {
              @Override
              public Job createJob(Job job) {
                return client.batch().v1().jobs().resource(job).create();
              }

              @Override
              public void deleteJob(Job job) {
                client
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(job.getMetadata().getNamespace())
                    .withName(job.getMetadata().getName())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete();
              }

              @Override
              public CronJob updateStatus(CronJob cronJob) {
                return client.batch().v1().cronjobs().resource(cronJob).updateStatus();
              }
            },
            context.recorder("cronjob-controller"),
            queue,
            context.clock());
    cronJobs.addEventHandler(controller.cronJobHandler());
    jobs.addEventHandler(controller.jobHandler());
    return context.runner("cronjob", queue, controller, cronJobs, jobs);
  }
}
