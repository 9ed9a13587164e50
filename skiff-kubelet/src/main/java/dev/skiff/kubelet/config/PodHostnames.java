package dev.skiff.kubelet.config;

import dev.skiff.kubelet.pod.PodConfigException;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.regex.Pattern;

/**
 * A pod's hostname and domain as Kubernetes derives them: {@code spec.hostname} or the pod name,
 * cut to 63 characters without a trailing {@code -} or {@code .}; the domain {@code
 * <subdomain>.<namespace>.svc.<clusterDomain>} when {@code spec.subdomain} is set; and the FQDN as
 * the kernel hostname with {@code setHostnameAsFQDN}.
 */
public final class PodHostnames {
  private static final int HOSTNAME_MAX = 63;
  private static final int FQDN_MAX = 64;
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private PodHostnames() {}

  public static String hostname(Pod pod) throws PodConfigException {
    String hostname = pod.getMetadata().getName();
    String specHostname = pod.getSpec().getHostname();
    if (specHostname != null && !specHostname.isEmpty()) {
      if (!isDnsLabel(specHostname)) {
        throw new PodConfigException(
            "CreatePodSandboxConfigError",
            "pod Hostname \"" + specHostname + "\" is not a valid DNS label");
      }
      hostname = specHostname;
    }
    if (hostname.length() <= HOSTNAME_MAX) {
      return hostname;
    }
    String truncated = hostname.substring(0, HOSTNAME_MAX).replaceAll("[-.]+$", "");
    if (truncated.isEmpty()) {
      throw new PodConfigException(
          "CreatePodSandboxConfigError",
          "hostname for pod \""
              + pod.getMetadata().getName()
              + "\" was invalid: \""
              + hostname
              + "\"");
    }
    return truncated;
  }

  /** The pod's DNS domain, or "" without a subdomain. */
  public static String domain(Pod pod, String clusterDomain) throws PodConfigException {
    String subdomain = pod.getSpec().getSubdomain();
    if (subdomain == null || subdomain.isEmpty()) {
      return "";
    }
    if (!isDnsLabel(subdomain)) {
      throw new PodConfigException(
          "CreatePodSandboxConfigError",
          "pod Subdomain \"" + subdomain + "\" is not a valid DNS label");
    }
    return subdomain + "." + pod.getMetadata().getNamespace() + ".svc." + clusterDomain;
  }

  /** The hostname the pod's kernel (UTS namespace) gets. */
  public static String kernelHostname(Pod pod, String clusterDomain) throws PodConfigException {
    String hostname = hostname(pod);
    String domain = domain(pod, clusterDomain);
    if (!Boolean.TRUE.equals(pod.getSpec().getSetHostnameAsFQDN()) || domain.isEmpty()) {
      return hostname;
    }
    String fqdn = hostname + "." + domain;
    if (fqdn.length() > FQDN_MAX) {
      throw new PodConfigException(
          "CreatePodSandboxConfigError",
          "failed to construct FQDN from pod hostname and cluster domain, FQDN "
              + fqdn
              + " is too long ("
              + FQDN_MAX
              + " characters is the max, "
              + fqdn.length()
              + " characters requested)");
    }
    return fqdn;
  }

  private static boolean isDnsLabel(String value) {
    return value.length() <= HOSTNAME_MAX && DNS_LABEL.matcher(value).matches();
  }
}
