package dev.skiff.apiserver.admission;

import java.util.List;

/**
 * The admission plugins in Kubernetes' order; every mutating step runs before any validating step,
 * as kube-apiserver runs its mutating then its validating admission.
 */
public final class AdmissionChain {
  private final List<AdmissionPlugin> plugins;

  public AdmissionChain(List<AdmissionPlugin> plugins) {
    this.plugins = List.copyOf(plugins);
  }

  public List<String> names() {
    return plugins.stream().map(AdmissionPlugin::name).toList();
  }

  public void admit(AdmissionRequest request) {
    for (AdmissionPlugin plugin : plugins) {
      plugin.mutate(request);
    }
    for (AdmissionPlugin plugin : plugins) {
      plugin.validate(request);
    }
  }
}
