package dev.skiff.cli;

/** The Kubernetes version Skiff reports and implements. */
public final class SkiffVersion {
  public static final String GIT_VERSION = "v1.32.0-skiff.1";

  private SkiffVersion() {}
}
