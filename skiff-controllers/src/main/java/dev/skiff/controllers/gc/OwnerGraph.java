package dev.skiff.controllers.gc;

import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dependency graph across every resource: objects by uid and, for each uid (observed or only
 * referenced), the uids of the objects that name it as an owner.
 */
public final class OwnerGraph {
  private final Map<String, GraphObject> objects = new HashMap<>();
  private final Map<String, Set<String>> dependents = new HashMap<>();

  /** Records the object's current state; returns the state it replaces, or null. */
  public synchronized GraphObject observe(GraphObject object) {
    GraphObject previous = objects.put(object.uid(), object);
    if (previous != null) {
      for (OwnerReference ref : previous.ownerReferences()) {
        unlink(ref.getUid(), object.uid());
      }
    }
    for (OwnerReference ref : object.ownerReferences()) {
      dependents.computeIfAbsent(ref.getUid(), k -> new HashSet<>()).add(object.uid());
    }
    return previous;
  }

  /** Removes the object; returns the uids of its dependents. */
  public synchronized Set<String> forget(String uid) {
    GraphObject removed = objects.remove(uid);
    if (removed != null) {
      for (OwnerReference ref : removed.ownerReferences()) {
        unlink(ref.getUid(), uid);
      }
    }
    return Set.copyOf(dependents.getOrDefault(uid, Set.of()));
  }

  private void unlink(String ownerUid, String dependentUid) {
    Set<String> set = dependents.get(ownerUid);
    if (set != null) {
      set.remove(dependentUid);
      if (set.isEmpty()) {
        dependents.remove(ownerUid);
      }
    }
  }

  public synchronized GraphObject get(String uid) {
    return objects.get(uid);
  }

  public synchronized boolean observed(String uid) {
    return objects.containsKey(uid);
  }

  /** The observed dependents of an owner uid. */
  public synchronized List<GraphObject> dependentsOf(String ownerUid) {
    return dependents.getOrDefault(ownerUid, Set.of()).stream()
        .map(objects::get)
        .filter(o -> o != null)
        .toList();
  }

  public synchronized int size() {
    return objects.size();
  }
}
