package dev.skiff.apiserver.admission.webhook;

/**
 * A webhook could not be asked or gave no usable answer (Kubernetes' ErrCallingWebhook): the
 * webhook's failurePolicy decides whether the request fails (Fail, 500) or goes on (Ignore).
 */
final class CallingWebhookException extends RuntimeException {
  CallingWebhookException(String reason) {
    super(reason);
  }

  CallingWebhookException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
