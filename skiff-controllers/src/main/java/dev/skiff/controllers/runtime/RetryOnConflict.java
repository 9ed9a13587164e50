package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.function.Supplier;

/**
 * Retries a read-modify-write when the API server answers 409 Conflict (another writer changed the
 * object first): the write is re-run, re-reading the latest object, up to five attempts as
 * Kubernetes' {@code retry.RetryOnConflict} with its default backoff steps.
 */
public final class RetryOnConflict {
  public static final int DEFAULT_ATTEMPTS = 5;

  private RetryOnConflict() {}

  public static <T> T run(Supplier<T> readModifyWrite) {
    return run(DEFAULT_ATTEMPTS, readModifyWrite);
  }

  public static <T> T run(int attempts, Supplier<T> readModifyWrite) {
    KubernetesClientException last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      try {
        return readModifyWrite.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  public static boolean isConflict(KubernetesClientException e) {
    return e.getCode() == HttpURLConnection.HTTP_CONFLICT;
  }

  public static boolean isNotFound(KubernetesClientException e) {
    return e.getCode() == HttpURLConnection.HTTP_NOT_FOUND;
  }
}
