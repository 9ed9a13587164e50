package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How `skiff server` reads its flags (kube-apiserver's and k3s' spelling). */
class ServerCommandFlagsTest {
  private static ServerCommand parse(String... args) {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void secretsEncryptionAndAuditLogFlags() {
    assertThat(parse().secretsEncryption).isFalse();
    assertThat(parse("--secrets-encryption").secretsEncryption).isTrue();
    assertThat(parse().auditLog()).isNull();
    var audit =
        parse(
                "--audit-log-path",
                "/var/log/skiff/audit.log",
                "--audit-log-maxsize=100",
                "--audit-log-maxbackup=5")
            .auditLog();
    assertThat(audit.path()).isEqualTo(Path.of("/var/log/skiff/audit.log"));
    assertThat(audit.maxSizeBytes()).isEqualTo(100L * 1024 * 1024);
    assertThat(audit.maxBackups()).isEqualTo(5);
    assertThat(parse("--audit-log-path=a.log").auditLog().maxSizeMegabytes()).isZero();
    assertThatThrownBy(() -> parse("--audit-log-path=a.log", "--audit-log-maxsize=-1").auditLog())
        .hasMessageContaining("--audit-log-maxsize must not be negative");
  }

  @Test
  void anonymousAuthIsOnUnlessSetFalse() {
    assertThat(parse().anonymousAuth).isTrue();
    assertThat(parse("--anonymous-auth").anonymousAuth).isTrue();
    assertThat(parse("--anonymous-auth=true").anonymousAuth).isTrue();
    assertThat(parse("--anonymous-auth=false").anonymousAuth).isFalse();
  }

  @Test
  void controllersUseServiceAccountCredentialsUnlessSetFalse() {
    assertThat(parse().useServiceAccountCredentials).isTrue();
    assertThat(parse("--use-service-account-credentials").useServiceAccountCredentials).isTrue();
    assertThat(parse("--use-service-account-credentials=false").useServiceAccountCredentials)
        .isFalse();
  }

  @Test
  void disabledAdmissionPluginsAreCommaSeparated() {
    assertThat(parse().disabledAdmissionPlugins).isEmpty();
    assertThat(
            parse("--disable-admission-plugins=ServiceAccount,DefaultTolerationSeconds")
                .disabledAdmissionPlugins)
        .containsExactly("ServiceAccount", "DefaultTolerationSeconds");
  }

  @Test
  void theClusterDnsIpDefaultsToTheTenthAddressOfTheServiceCidr() {
    assertThat(parse().serviceNetwork().clusterDns()).isEqualTo("10.43.0.10");
    assertThat(parse("--service-cidr", "10.96.0.0/12").serviceNetwork().clusterDns())
        .isEqualTo("10.96.0.10");
    assertThat(
            parse("--service-cidr", "10.96.0.0/12", "--cluster-dns", "10.96.0.53")
                .serviceNetwork()
                .clusterDns())
        .isEqualTo("10.96.0.53");
    assertThatThrownBy(() -> parse("--cluster-dns", "10.96.0.53").serviceNetwork())
        .hasMessageContaining("--cluster-dns 10.96.0.53 is not a host address");
  }

  @Test
  void disableIsRepeatableAndKnowsServicelb() {
    assertThat(parse().disabledControllers()).isEmpty();
    assertThat(parse("--disable", "servicelb").disabledControllers()).containsExactly("servicelb");
    assertThat(parse("--disable=servicelb", "--disable", "servicelb").disabledControllers())
        .containsExactly("servicelb");
    assertThatThrownBy(() -> parse("--disable", "traefik").disabledControllers())
        .hasMessage(
            "--disable: unknown component traefik (skiff can disable: servicelb, local-storage)");
  }

  @Test
  void localStorageLivesUnderTheDataDirUnlessMovedOrDisabled() {
    Path dataDir = Path.of("/var/lib/skiff");
    assertThat(parse().localStoragePath(dataDir)).contains(dataDir.resolve("storage"));
    assertThat(parse("--default-local-storage-path", "/mnt/volumes").localStoragePath(dataDir))
        .contains(Path.of("/mnt/volumes"));
    ServerCommand disabled = parse("--disable", "local-storage,servicelb");
    assertThat(disabled.localStoragePath(dataDir)).isEmpty();
    // local-storage is not a controller: the binder still runs, without the provisioner
    assertThat(disabled.disabledControllers()).containsExactly("servicelb");
  }

  @Test
  void theLocalPathStorageClassIsTheDefaultAndBindsOnFirstConsumer() {
    StorageClass storageClass = LocalStorage.storageClass();
    assertThat(storageClass.getMetadata().getName()).isEqualTo("local-path");
    assertThat(storageClass.getMetadata().getAnnotations())
        .containsEntry("storageclass.kubernetes.io/is-default-class", "true");
    assertThat(storageClass.getProvisioner()).isEqualTo("rancher.io/local-path");
    assertThat(storageClass.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
    assertThat(storageClass.getReclaimPolicy()).isEqualTo("Delete");
  }
}
