package dev.skiff.controllers.hpa;

import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;

/** The scale subresource of an autoscaler's target. Failures are unchecked exceptions. */
public interface ScaleClient {
  Scale get(String namespace, CrossVersionObjectReference target);

  void update(String namespace, CrossVersionObjectReference target, Scale scale);
}
