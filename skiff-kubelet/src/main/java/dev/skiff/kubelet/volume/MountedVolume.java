package dev.skiff.kubelet.volume;

import java.nio.file.Path;

/**
 * A pod volume ready on the node: the host path containers bind-mount and whether the volume itself
 * is read-only (configMap, secret, downwardAPI and projected volumes always are; a
 * persistentVolumeClaim when its source says so).
 */
public record MountedVolume(Path hostPath, boolean readOnly) {}
