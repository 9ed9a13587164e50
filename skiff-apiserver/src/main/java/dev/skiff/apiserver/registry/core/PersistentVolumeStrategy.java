package dev.skiff.apiserver.registry.core;

import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import tools.jackson.databind.node.ObjectNode;

/** PersistentVolumes: Retain reclaim policy, Filesystem volume mode, phase Pending. */
public final class PersistentVolumeStrategy implements ResourceStrategy {
  @Override
  public void applyDefaults(ObjectNode volume) {
    ObjectNode spec = Meta.child(volume, "spec");
    Meta.defaultText(spec, "persistentVolumeReclaimPolicy", "Retain");
    Meta.defaultText(spec, "volumeMode", "Filesystem");
  }

  @Override
  public void prepareForCreate(ObjectNode volume) {
    volume.putObject("status").put("phase", "Pending");
  }
}
