package dev.skiff.testing.node;

/** The outcome of a command run to completion in a node's namespace. */
public record ExecResult(int exitCode, String stdout, String stderr) {
  public boolean succeeded() {
    return exitCode == 0;
  }
}
