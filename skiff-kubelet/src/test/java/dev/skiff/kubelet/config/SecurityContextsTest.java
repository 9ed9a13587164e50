package dev.skiff.kubelet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.kubelet.cri.v1.LinuxContainerSecurityContext;
import dev.skiff.kubelet.cri.v1.LinuxSandboxSecurityContext;
import dev.skiff.kubelet.cri.v1.NamespaceMode;
import dev.skiff.kubelet.cri.v1.SecurityProfile;
import dev.skiff.kubelet.pod.PodConfigException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SecurityContextsTest {
  private final SecurityContexts security = new SecurityContexts(Path.of("/data/agent/seccomp"));

  private static PodBuilder podBuilder() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withNamespace("ns")
        .withUid("u")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .endContainer()
        .endSpec();
  }

  @Test
  void defaultsArePodNamespacesUnconfinedSeccompAndMaskedProc() throws PodConfigException {
    Pod pod = podBuilder().build();

    LinuxContainerSecurityContext container =
        security.container(pod, pod.getSpec().getContainers().get(0));
    LinuxSandboxSecurityContext sandbox = security.sandbox(pod);

    assertThat(sandbox.getNamespaceOptions().getNetwork()).isEqualTo(NamespaceMode.POD);
    assertThat(sandbox.getNamespaceOptions().getPid()).isEqualTo(NamespaceMode.CONTAINER);
    assertThat(sandbox.getNamespaceOptions().getIpc()).isEqualTo(NamespaceMode.POD);
    assertThat(sandbox.getSeccomp().getProfileType())
        .isEqualTo(SecurityProfile.ProfileType.Unconfined);
    assertThat(sandbox.getPrivileged()).isFalse();
    assertThat(sandbox.hasRunAsUser()).isFalse();
    assertThat(container.getSeccomp().getProfileType())
        .isEqualTo(SecurityProfile.ProfileType.Unconfined);
    assertThat(container.getMaskedPathsList()).contains("/proc/kcore", "/sys/firmware");
    assertThat(container.getReadonlyPathsList())
        .containsExactly("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
    assertThat(container.getNoNewPrivs()).isFalse();
    assertThat(container.hasCapabilities()).isFalse();
  }

  @Test
  void hostNamespacesAreNodeMode() {
    Pod pod =
        podBuilder()
            .editSpec()
            .withHostNetwork(true)
            .withHostPID(true)
            .withHostIPC(true)
            .endSpec()
            .build();

    LinuxSandboxSecurityContext sandbox = security.sandbox(pod);

    assertThat(sandbox.getNamespaceOptions().getNetwork()).isEqualTo(NamespaceMode.NODE);
    assertThat(sandbox.getNamespaceOptions().getPid()).isEqualTo(NamespaceMode.NODE);
    assertThat(sandbox.getNamespaceOptions().getIpc()).isEqualTo(NamespaceMode.NODE);
  }

  @Test
  void sharedProcessNamespaceIsPodMode() {
    Pod pod = podBuilder().editSpec().withShareProcessNamespace(true).endSpec().build();

    assertThat(SecurityContexts.namespaces(pod).getPid()).isEqualTo(NamespaceMode.POD);
  }

  @Test
  void containerOverridesPodAndGetsCapabilitiesGroupsAndNoNewPrivs() throws PodConfigException {
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withNewSecurityContext()
            .withRunAsUser(2000L)
            .withReadOnlyRootFilesystem(true)
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withAdd("NET_ADMIN")
            .withDrop("ALL")
            .endCapabilities()
            .withNewSeccompProfile()
            .withType("Localhost")
            .withLocalhostProfile("profiles/audit.json")
            .endSeccompProfile()
            .endSecurityContext()
            .build();
    Pod pod =
        podBuilder()
            .editSpec()
            .withContainers(app)
            .withNewSecurityContext()
            .withRunAsUser(1000L)
            .withRunAsGroup(3000L)
            .withFsGroup(4000L)
            .withSupplementalGroups(5000L, 5001L)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .endSpec()
            .build();

    LinuxContainerSecurityContext container = security.container(pod, app);
    LinuxSandboxSecurityContext sandbox = security.sandbox(pod);

    assertThat(container.getRunAsUser().getValue()).isEqualTo(2000);
    assertThat(container.getRunAsGroup().getValue()).isEqualTo(3000);
    assertThat(container.getSupplementalGroupsList()).containsExactly(4000L, 5000L, 5001L);
    assertThat(container.getReadonlyRootfs()).isTrue();
    assertThat(container.getNoNewPrivs()).isTrue();
    assertThat(container.getCapabilities().getAddCapabilitiesList()).containsExactly("NET_ADMIN");
    assertThat(container.getCapabilities().getDropCapabilitiesList()).containsExactly("ALL");
    assertThat(container.getSeccomp().getProfileType())
        .isEqualTo(SecurityProfile.ProfileType.Localhost);
    assertThat(container.getSeccomp().getLocalhostRef())
        .isEqualTo("/data/agent/seccomp/profiles/audit.json");
    assertThat(sandbox.getRunAsUser().getValue()).isEqualTo(1000);
    assertThat(sandbox.getRunAsGroup().getValue()).isEqualTo(3000);
    assertThat(sandbox.getSupplementalGroupsList()).containsExactly(4000L, 5000L, 5001L);
    assertThat(sandbox.getSeccomp().getProfileType())
        .isEqualTo(SecurityProfile.ProfileType.RuntimeDefault);
  }

  @Test
  void privilegedContainerMakesAPrivilegedSandbox() throws PodConfigException {
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withNewSecurityContext()
            .withPrivileged(true)
            .endSecurityContext()
            .build();
    Pod pod = podBuilder().editSpec().withContainers(app).endSpec().build();

    assertThat(security.sandbox(pod).getPrivileged()).isTrue();
    assertThat(security.container(pod, app).getPrivileged()).isTrue();
  }

  @Test
  void unmaskedProcMountHasNoMaskedPaths() throws PodConfigException {
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withNewSecurityContext()
            .withProcMount("Unmasked")
            .endSecurityContext()
            .build();
    Pod pod = podBuilder().editSpec().withContainers(app).endSpec().build();

    LinuxContainerSecurityContext container = security.container(pod, app);

    assertThat(container.getMaskedPathsList()).isEmpty();
    assertThat(container.getReadonlyPathsList()).isEmpty();
  }

  @Test
  void runAsNonRootWithUidZeroIsAConfigError() {
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withNewSecurityContext()
            .withRunAsUser(0L)
            .withRunAsNonRoot(true)
            .endSecurityContext()
            .build();
    Pod pod = podBuilder().editSpec().withContainers(app).endSpec().build();

    assertThatThrownBy(() -> security.container(pod, app))
        .isInstanceOfSatisfying(
            PodConfigException.class,
            e -> assertThat(e.reason()).isEqualTo("CreateContainerConfigError"))
        .hasMessage(
            "container's runAsUser breaks non-root policy (pod: \"p_ns(u)\", container: app)");
  }

  @Test
  void runAsNonRootAgainstTheImageUser() throws PodConfigException {
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .endSecurityContext()
            .build();
    Pod pod = podBuilder().editSpec().withContainers(app).endSpec().build();
    Container explicitUser =
        new ContainerBuilder(app)
            .editSecurityContext()
            .withRunAsUser(1000L)
            .endSecurityContext()
            .build();
    Container allowed = new ContainerBuilder().withName("app").build();

    SecurityContexts.verifyRunAsNonRoot(pod, app, 1000L, "");
    SecurityContexts.verifyRunAsNonRoot(pod, explicitUser, 0L, "");
    SecurityContexts.verifyRunAsNonRoot(pod, allowed, null, null);
    assertThatThrownBy(() -> SecurityContexts.verifyRunAsNonRoot(pod, app, 0L, ""))
        .hasMessage(
            "container has runAsNonRoot and image will run as root (pod: \"p_ns(u)\", container: app)");
    assertThatThrownBy(() -> SecurityContexts.verifyRunAsNonRoot(pod, app, null, null))
        .hasMessage(
            "container has runAsNonRoot and image will run as root (pod: \"p_ns(u)\", container: app)");
    assertThatThrownBy(() -> SecurityContexts.verifyRunAsNonRoot(pod, app, null, "nginx"))
        .hasMessage(
            "container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root"
                + " (pod: \"p_ns(u)\", container: app)");
  }
}
