package dev.skiff.apiserver.registry;

/** Which part of an object an update may change. */
public enum UpdateMode {
  /** The main resource: status is carried over from the stored object when the kind has /status. */
  MAIN,
  /** The status subresource: only status changes. */
  STATUS,
  /** A subresource whose handler already merged its part into the stored object. */
  SUBRESOURCE
}
