package dev.skiff.apiserver.admission.policy;

/**
 * The outcome of one validation of one policy for one request.
 *
 * @param deny whether the validation failed (or errored under failurePolicy Fail)
 * @param error whether it is an evaluation or configuration error rather than a false expression
 * @param message the failure message (empty when admitted)
 * @param reason the validation's Status reason, or null (Kubernetes then answers Invalid)
 */
record PolicyDecision(boolean deny, boolean error, String message, String reason) {
  static PolicyDecision admit() {
    return new PolicyDecision(false, false, "", null);
  }

  static PolicyDecision deny(String message, String reason) {
    return new PolicyDecision(true, false, message, reason);
  }

  /** An error under failurePolicy Fail: a denial without a reason. */
  static PolicyDecision error(String message) {
    return new PolicyDecision(true, true, message, null);
  }

  /** An error under failurePolicy Ignore: admitted. */
  static PolicyDecision ignoredError(String message) {
    return new PolicyDecision(false, true, message, null);
  }
}
