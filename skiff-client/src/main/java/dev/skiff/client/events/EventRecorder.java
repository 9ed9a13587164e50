package dev.skiff.client.events;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Records Kubernetes Events about objects, as {@code kubectl describe} shows them. */
public interface EventRecorder {
  String NORMAL = "Normal";
  String WARNING = "Warning";

  void event(HasMetadata involved, String type, String reason, String message);

  /** Drops every event: for controllers that emit none. */
  EventRecorder NONE = (involved, type, reason, message) -> {};
}
