package dev.skiff.apiserver.admission;

import java.util.List;

/**
 * The admission plugins in Kubernetes' order. As in kube-apiserver, a write runs every mutating
 * step, then the registry validates the result, then every validating step: what a mutating plugin
 * or webhook changes is validated like the user's own input.
 */
public final class AdmissionChain {
  private final List<AdmissionPlugin> plugins;

  public AdmissionChain(List<AdmissionPlugin> plugins) {
    this.plugins = List.copyOf(plugins);
  }

  public List<String> names() {
    return plugins.stream().map(AdmissionPlugin::name).toList();
  }

  /** Both phases, for callers that have no validation of their own to run in between. */
  public void admit(AdmissionRequest request) {
    mutate(request);
    validate(request);
  }

  /**
   * The mutating phase: every plugin may change the object, in order. When a plugin asks for it
   * ({@link Reinvocation#request()}: a mutating webhook changed the object), every plugin runs once
   * more, as Kubernetes reinvokes its mutating plugins.
   */
  public void mutate(AdmissionRequest request) {
    new Reinvocation()
        .run(
            () -> {
              for (AdmissionPlugin plugin : plugins) {
                plugin.mutate(request);
              }
            });
  }

  /** The validating phase, after the registry's own validation of the mutated object. */
  public void validate(AdmissionRequest request) {
    for (AdmissionPlugin plugin : plugins) {
      plugin.validate(request);
    }
  }
}
