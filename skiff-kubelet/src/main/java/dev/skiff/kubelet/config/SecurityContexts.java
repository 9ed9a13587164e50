package dev.skiff.kubelet.config;

import dev.skiff.kubelet.cri.v1.Capability;
import dev.skiff.kubelet.cri.v1.Int64Value;
import dev.skiff.kubelet.cri.v1.LinuxContainerSecurityContext;
import dev.skiff.kubelet.cri.v1.LinuxSandboxSecurityContext;
import dev.skiff.kubelet.cri.v1.NamespaceMode;
import dev.skiff.kubelet.cri.v1.NamespaceOption;
import dev.skiff.kubelet.cri.v1.SecurityProfile;
import dev.skiff.kubelet.pod.PodConfigException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.nio.file.Path;
import java.util.List;

/**
 * Security settings for CRI as Kubernetes derives them: namespace modes (host network, PID and IPC
 * → NODE; a shared process namespace → POD), run-as user and group with the container overriding
 * the pod, fsGroup and supplemental groups, capabilities, privileged, read-only root filesystem,
 * {@code no_new_privs} from {@code allowPrivilegeEscalation: false}, seccomp (Unconfined unless a
 * profile is set) and the default masked and read-only /proc paths.
 */
public final class SecurityContexts {
  static final List<String> DEFAULT_MASKED_PATHS =
      List.of(
          "/proc/asound",
          "/proc/acpi",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/sys/firmware",
          "/sys/devices/virtual/powercap");
  static final List<String> DEFAULT_READONLY_PATHS =
      List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  private final Path seccompRoot;

  /**
   * @param seccompRoot where {@code Localhost} seccomp profiles are looked up
   */
  public SecurityContexts(Path seccompRoot) {
    this.seccompRoot = seccompRoot;
  }

  public static NamespaceOption namespaces(Pod pod) {
    boolean hostPid = Boolean.TRUE.equals(pod.getSpec().getHostPID());
    NamespaceMode pid =
        hostPid
            ? NamespaceMode.NODE
            : Boolean.TRUE.equals(pod.getSpec().getShareProcessNamespace())
                ? NamespaceMode.POD
                : NamespaceMode.CONTAINER;
    return NamespaceOption.newBuilder()
        .setNetwork(
            Boolean.TRUE.equals(pod.getSpec().getHostNetwork())
                ? NamespaceMode.NODE
                : NamespaceMode.POD)
        .setPid(pid)
        .setIpc(
            Boolean.TRUE.equals(pod.getSpec().getHostIPC())
                ? NamespaceMode.NODE
                : NamespaceMode.POD)
        .build();
  }

  public LinuxSandboxSecurityContext sandbox(Pod pod) {
    LinuxSandboxSecurityContext.Builder sandbox =
        LinuxSandboxSecurityContext.newBuilder()
            .setNamespaceOptions(namespaces(pod))
            .setPrivileged(hasPrivilegedContainer(pod));
    PodSecurityContext podSc = pod.getSpec().getSecurityContext();
    sandbox.setSeccomp(seccomp(podSc == null ? null : podSc.getSeccompProfile()));
    if (podSc != null) {
      if (podSc.getRunAsUser() != null) {
        sandbox.setRunAsUser(Int64Value.newBuilder().setValue(podSc.getRunAsUser()));
      }
      if (podSc.getRunAsGroup() != null) {
        sandbox.setRunAsGroup(Int64Value.newBuilder().setValue(podSc.getRunAsGroup()));
      }
      sandbox.addAllSupplementalGroups(supplementalGroups(podSc));
    }
    return sandbox.build();
  }

  /**
   * @throws PodConfigException {@code CreateContainerConfigError} when runAsNonRoot is required and
   *     the container is set to run as uid 0
   */
  public LinuxContainerSecurityContext container(Pod pod, Container container)
      throws PodConfigException {
    PodSecurityContext podSc = pod.getSpec().getSecurityContext();
    SecurityContext sc = container.getSecurityContext();
    Long runAsUser =
        sc != null && sc.getRunAsUser() != null
            ? sc.getRunAsUser()
            : podSc == null ? null : podSc.getRunAsUser();
    Long runAsGroup =
        sc != null && sc.getRunAsGroup() != null
            ? sc.getRunAsGroup()
            : podSc == null ? null : podSc.getRunAsGroup();
    Boolean runAsNonRoot =
        sc != null && sc.getRunAsNonRoot() != null
            ? sc.getRunAsNonRoot()
            : podSc == null ? null : podSc.getRunAsNonRoot();
    SeccompProfile seccomp =
        sc != null && sc.getSeccompProfile() != null
            ? sc.getSeccompProfile()
            : podSc == null ? null : podSc.getSeccompProfile();
    if (Boolean.TRUE.equals(runAsNonRoot) && runAsUser != null && runAsUser == 0) {
      throw new PodConfigException(
          "CreateContainerConfigError",
          "container's runAsUser breaks non-root policy (pod: \""
              + pod.getMetadata().getName()
              + "_"
              + pod.getMetadata().getNamespace()
              + "("
              + pod.getMetadata().getUid()
              + ")\", container: "
              + container.getName()
              + ")");
    }
    LinuxContainerSecurityContext.Builder out =
        LinuxContainerSecurityContext.newBuilder()
            .setNamespaceOptions(namespaces(pod))
            .setSeccomp(seccomp(seccomp));
    if (runAsUser != null) {
      out.setRunAsUser(Int64Value.newBuilder().setValue(runAsUser));
    }
    if (runAsGroup != null) {
      out.setRunAsGroup(Int64Value.newBuilder().setValue(runAsGroup));
    }
    if (podSc != null) {
      out.addAllSupplementalGroups(supplementalGroups(podSc));
    }
    boolean unmasked = false;
    if (sc != null) {
      out.setPrivileged(Boolean.TRUE.equals(sc.getPrivileged()));
      out.setReadonlyRootfs(Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()));
      out.setNoNewPrivs(Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation()));
      if (sc.getCapabilities() != null) {
        Capability.Builder capabilities = Capability.newBuilder();
        if (sc.getCapabilities().getAdd() != null) {
          capabilities.addAllAddCapabilities(sc.getCapabilities().getAdd());
        }
        if (sc.getCapabilities().getDrop() != null) {
          capabilities.addAllDropCapabilities(sc.getCapabilities().getDrop());
        }
        out.setCapabilities(capabilities);
      }
      unmasked = "Unmasked".equals(sc.getProcMount());
    }
    if (!unmasked) {
      out.addAllMaskedPaths(DEFAULT_MASKED_PATHS).addAllReadonlyPaths(DEFAULT_READONLY_PATHS);
    }
    return out.build();
  }

  /** Whether the container's effective security context (container over pod) sets runAsNonRoot. */
  public static boolean runAsNonRoot(Pod pod, Container container) {
    PodSecurityContext podSc = pod.getSpec().getSecurityContext();
    SecurityContext sc = container.getSecurityContext();
    Boolean runAsNonRoot =
        sc != null && sc.getRunAsNonRoot() != null
            ? sc.getRunAsNonRoot()
            : podSc == null ? null : podSc.getRunAsNonRoot();
    return Boolean.TRUE.equals(runAsNonRoot);
  }

  /**
   * Kubernetes' runAsNonRoot check against the image's user, for the pod workers to run once the
   * image is known (from CRI's {@code Image.uid} / {@code Image.username}; an image with neither
   * runs as root). An explicit runAsUser is checked by {@link #container} already.
   *
   * @throws PodConfigException {@code CreateContainerConfigError} with Kubernetes' message
   */
  public static void verifyRunAsNonRoot(
      Pod pod, Container container, Long imageUid, String imageUsername) throws PodConfigException {
    if (!runAsNonRoot(pod, container)) {
      return;
    }
    PodSecurityContext podSc = pod.getSpec().getSecurityContext();
    SecurityContext sc = container.getSecurityContext();
    Long runAsUser =
        sc != null && sc.getRunAsUser() != null
            ? sc.getRunAsUser()
            : podSc == null ? null : podSc.getRunAsUser();
    String where = " (pod: \"" + formatPod(pod) + "\", container: " + container.getName() + ")";
    if (runAsUser != null) {
      if (runAsUser == 0) {
        throw new PodConfigException(
            "CreateContainerConfigError", "container's runAsUser breaks non-root policy" + where);
      }
      return;
    }
    boolean hasUsername = imageUsername != null && !imageUsername.isEmpty();
    if (imageUid == null && hasUsername) {
      throw new PodConfigException(
          "CreateContainerConfigError",
          "container has runAsNonRoot and image has non-numeric user ("
              + imageUsername
              + "), cannot verify user is non-root"
              + where);
    }
    if (imageUid == null || imageUid == 0) {
      throw new PodConfigException(
          "CreateContainerConfigError",
          "container has runAsNonRoot and image will run as root" + where);
    }
  }

  private static String formatPod(Pod pod) {
    return pod.getMetadata().getName()
        + "_"
        + pod.getMetadata().getNamespace()
        + "("
        + pod.getMetadata().getUid()
        + ")";
  }

  private static List<Long> supplementalGroups(PodSecurityContext podSc) {
    List<Long> groups = new java.util.ArrayList<>();
    if (podSc.getFsGroup() != null) {
      groups.add(podSc.getFsGroup());
    }
    if (podSc.getSupplementalGroups() != null) {
      groups.addAll(podSc.getSupplementalGroups());
    }
    return groups;
  }

  private SecurityProfile seccomp(SeccompProfile profile) {
    if (profile == null || profile.getType() == null) {
      return SecurityProfile.newBuilder()
          .setProfileType(SecurityProfile.ProfileType.Unconfined)
          .build();
    }
    return switch (profile.getType()) {
      case "RuntimeDefault" ->
          SecurityProfile.newBuilder()
              .setProfileType(SecurityProfile.ProfileType.RuntimeDefault)
              .build();
      case "Localhost" ->
          SecurityProfile.newBuilder()
              .setProfileType(SecurityProfile.ProfileType.Localhost)
              .setLocalhostRef(seccompRoot.resolve(profile.getLocalhostProfile()).toString())
              .build();
      default ->
          SecurityProfile.newBuilder()
              .setProfileType(SecurityProfile.ProfileType.Unconfined)
              .build();
    };
  }

  static boolean hasPrivilegedContainer(Pod pod) {
    List<Container> all = new java.util.ArrayList<>(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    for (Container container : all) {
      if (container.getSecurityContext() != null
          && Boolean.TRUE.equals(container.getSecurityContext().getPrivileged())) {
        return true;
      }
    }
    if (pod.getSpec().getEphemeralContainers() != null) {
      for (EphemeralContainer container : pod.getSpec().getEphemeralContainers()) {
        if (container.getSecurityContext() != null
            && Boolean.TRUE.equals(container.getSecurityContext().getPrivileged())) {
          return true;
        }
      }
    }
    return false;
  }
}
