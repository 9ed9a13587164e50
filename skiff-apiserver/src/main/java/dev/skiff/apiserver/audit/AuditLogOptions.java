package dev.skiff.apiserver.audit;

import java.nio.file.Path;

/**
 * Where audit events go, as kube-apiserver's {@code --audit-log-*} flags say.
 *
 * @param path the file audit events are appended to as JSON lines
 * @param maxSizeMegabytes the file is rotated when it would grow beyond this many megabytes; 0
 *     never rotates
 * @param maxBackups how many rotated files are kept; 0 keeps them all
 */
public record AuditLogOptions(Path path, long maxSizeMegabytes, int maxBackups) {
  public AuditLogOptions {
    if (path == null) {
      throw new IllegalArgumentException("the audit log needs a path");
    }
    if (maxSizeMegabytes < 0) {
      throw new IllegalArgumentException("--audit-log-maxsize must not be negative");
    }
    if (maxBackups < 0) {
      throw new IllegalArgumentException("--audit-log-maxbackup must not be negative");
    }
  }

  /** The size limit in bytes; 0 for none. */
  public long maxSizeBytes() {
    return maxSizeMegabytes * 1024 * 1024;
  }
}
