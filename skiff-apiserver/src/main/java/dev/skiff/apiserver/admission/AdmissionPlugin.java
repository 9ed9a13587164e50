package dev.skiff.apiserver.admission;

/**
 * One admission plugin. {@link #mutate} may change the object; {@link #validate} may only refuse,
 * by throwing an {@link dev.skiff.apiserver.http.ApiException} (403 Forbidden or 422 Invalid)
 * naming the plugin's reason.
 */
public interface AdmissionPlugin {
  String name();

  default void mutate(AdmissionRequest request) {}

  default void validate(AdmissionRequest request) {}
}
