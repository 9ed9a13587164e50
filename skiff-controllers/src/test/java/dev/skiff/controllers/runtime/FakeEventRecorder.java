package dev.skiff.controllers.runtime;

import dev.skiff.client.events.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/** Records events as "Type Reason Message" lines. */
public final class FakeEventRecorder implements EventRecorder {
  private final List<String> events = new ArrayList<>();

  @Override
  public synchronized void event(HasMetadata involved, String type, String reason, String message) {
    events.add(type + " " + reason + " " + message);
  }

  public synchronized List<String> events() {
    return List.copyOf(events);
  }
}
