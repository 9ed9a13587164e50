package dev.skiff.controllers.job;

import dev.skiff.api.Json;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.pods.ClientPodControl;
import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RetryOnConflict;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Wires the Job controller to the API. */
public final class JobControllers {
  private JobControllers() {}

  public static ControllerRunner jobs(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Job> jobs = context.informers().forType(Job.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("job");
    EventRecorder recorder = context.recorder("job-controller");
    JobController controller =
        new JobController(
            jobs.getIndexer(),
            pods.getIndexer(),
            new ClientPodControl(client, recorder),
            new JobWriter() {
              @Override
              public Job updateStatus(Job job) {
                return client.batch().v1().jobs().resource(job).updateStatus();
              }

              @Override
              public void removeTrackingFinalizer(Pod pod) {
                List<String> kept = new ArrayList<>(pod.getMetadata().getFinalizers());
                kept.remove(JobController.TRACKING_FINALIZER);
                ObjectNode patch = Json.object();
                ObjectNode metadata = patch.putObject("metadata");
                metadata.put("resourceVersion", pod.getMetadata().getResourceVersion());
                ArrayNode finalizers = metadata.putArray("finalizers");
                kept.forEach(finalizers::add);
                try {
                  RetryOnConflict.run(
                      () ->
                          client
                              .pods()
                              .inNamespace(pod.getMetadata().getNamespace())
                              .withName(pod.getMetadata().getName())
                              .patch(
                                  PatchContext.of(PatchType.JSON_MERGE),
                                  Json.MAPPER.writeValueAsString(patch)));
                } catch (KubernetesClientException e) {
                  if (e.getCode() != 404) {
                    throw e;
                  }
                }
              }
            },
            recorder,
            new ControllerExpectations(context.clock()),
            queue,
            context.clock());
    jobs.addEventHandler(controller.jobHandler());
    pods.addEventHandler(controller.podHandler());
    return context.runner("job", queue, controller, jobs, pods);
  }
}
