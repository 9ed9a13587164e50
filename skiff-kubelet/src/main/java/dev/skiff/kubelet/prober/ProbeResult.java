package dev.skiff.kubelet.prober;

/**
 * What one run of a probe handler says: its outcome and the text Kubernetes puts in events (the
 * command output, {@code HTTP probe failed with statuscode: 500}, a dial error ...).
 */
public record ProbeResult(Outcome outcome, String output) {

  /** A probe handler's outcome, as Kubernetes' {@code probe.Result}. */
  public enum Outcome {
    SUCCESS,
    /** Counts as success, with a {@code ProbeWarning} event (e.g. an off-host redirect). */
    WARNING,
    FAILURE,
    /** The probe could not run (bad port, runtime error): the result is thrown away. */
    UNKNOWN
  }

  public ProbeResult {
    output = output == null ? "" : output;
  }

  public static ProbeResult success(String output) {
    return new ProbeResult(Outcome.SUCCESS, output);
  }

  public static ProbeResult warning(String output) {
    return new ProbeResult(Outcome.WARNING, output);
  }

  public static ProbeResult failure(String output) {
    return new ProbeResult(Outcome.FAILURE, output);
  }

  /** The probe could not run; {@code error} is what the event says after "resulted in ...". */
  public static ProbeResult error(String error) {
    return new ProbeResult(Outcome.UNKNOWN, error);
  }
}
