package dev.skiff.apiserver.admission.webhook;

/** A resource of one group version, as webhook rules and AdmissionReview name it. */
public record GroupVersionResource(String group, String version, String resource) {}
