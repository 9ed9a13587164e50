package dev.skiff.kubelet.prober;

import dev.skiff.client.events.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event recorded. */
final class RecordingEvents implements EventRecorder {
  record Event(String object, String type, String reason, String message) {}

  final List<Event> events = new CopyOnWriteArrayList<>();

  @Override
  public void event(HasMetadata involved, String type, String reason, String message) {
    events.add(new Event(involved.getMetadata().getName(), type, reason, message));
  }

  List<String> messages(String reason) {
    return events.stream().filter(e -> e.reason().equals(reason)).map(Event::message).toList();
  }
}
