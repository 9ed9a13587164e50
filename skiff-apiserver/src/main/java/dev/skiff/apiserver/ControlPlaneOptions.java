package dev.skiff.apiserver;

import dev.skiff.apiserver.audit.AuditLogOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run a {@link ControlPlane}.
 *
 * @param dataDir state directory: TLS material under tls/, the embedded database under db/
 * @param bindAddress address to listen on
 * @param port HTTPS port; 0 picks a free one
 * @param datastoreEndpoint null/empty for the embedded sqlite, else memory://, sqlite:///, etcd://
 * @param etcdCaFile null unless etcd is reached over TLS
 * @param tlsSans extra names for the serving certificate
 * @param kubeconfig where the admin kubeconfig is written
 * @param tokenAuthFile static bearer tokens (Kubernetes' CSV format), or null for none
 * @param anonymousAuth whether requests without credentials are served as {@code system:anonymous},
 *     authorized by RBAC ({@code --anonymous-auth}, default true), rather than refused with 401
 * @param secretsEncryption whether secrets are stored encrypted with AES-GCM ({@code
 *     --secrets-encryption}; keys in {@code <data-dir>/cred/encryption-config.json})
 * @param auditLog where Metadata-level audit events are written, or null for no audit log
 */
public record ControlPlaneOptions(
    Path dataDir,
    String bindAddress,
    int port,
    String datastoreEndpoint,
    Path etcdCaFile,
    Path etcdCertFile,
    Path etcdKeyFile,
    List<String> tlsSans,
    Path kubeconfig,
    Path tokenAuthFile,
    String nodeToken,
    boolean anonymousAuth,
    List<String> disabledAdmissionPlugins,
    boolean secretsEncryption,
    AuditLogOptions auditLog) {

  public ControlPlaneOptions {
    tlsSans = List.copyOf(tlsSans);
    disabledAdmissionPlugins = List.copyOf(disabledAdmissionPlugins);
  }

  /** Options with anonymous requests enabled. */
  public ControlPlaneOptions(
      Path dataDir,
      String bindAddress,
      int port,
      String datastoreEndpoint,
      Path etcdCaFile,
      Path etcdCertFile,
      Path etcdKeyFile,
      List<String> tlsSans,
      Path kubeconfig,
      Path tokenAuthFile,
      String nodeToken) {
    this(
        dataDir,
        bindAddress,
        port,
        datastoreEndpoint,
        etcdCaFile,
        etcdCertFile,
        etcdKeyFile,
        tlsSans,
        kubeconfig,
        tokenAuthFile,
        nodeToken,
        true,
        List.of(),
        false,
        null);
  }

  /** Options without a token file. */
  public ControlPlaneOptions(
      Path dataDir,
      String bindAddress,
      int port,
      String datastoreEndpoint,
      Path etcdCaFile,
      Path etcdCertFile,
      Path etcdKeyFile,
      List<String> tlsSans,
      Path kubeconfig) {
    this(
        dataDir,
        bindAddress,
        port,
        datastoreEndpoint,
        etcdCaFile,
        etcdCertFile,
        etcdKeyFile,
        tlsSans,
        kubeconfig,
        null,
        null);
  }

  public ControlPlaneOptions withTokenAuthFile(Path file) {
    return new ControlPlaneOptions(
        dataDir,
        bindAddress,
        port,
        datastoreEndpoint,
        etcdCaFile,
        etcdCertFile,
        etcdKeyFile,
        tlsSans,
        kubeconfig,
        file,
        nodeToken,
        anonymousAuth,
        disabledAdmissionPlugins,
        secretsEncryption,
        auditLog);
  }

  /**
   * The node join token agents present ({@code --token}); null keeps the one in {@code
   * <data-dir>/token}, or makes one.
   */
  public ControlPlaneOptions withNodeToken(String token) {
    return new ControlPlaneOptions(
        dataDir,
        bindAddress,
        port,
        datastoreEndpoint,
        etcdCaFile,
        etcdCertFile,
        etcdKeyFile,
        tlsSans,
        kubeconfig,
        tokenAuthFile,
        token,
        anonymousAuth,
        disabledAdmissionPlugins,
        secretsEncryption,
        auditLog);
  }

  /**
   * Whether requests without credentials are {@code system:anonymous} ({@code --anonymous-auth}).
   */
  public ControlPlaneOptions withAnonymousAuth(boolean enabled) {
    return new ControlPlaneOptions(
        dataDir,
        bindAddress,
        port,
        datastoreEndpoint,
        etcdCaFile,
        etcdCertFile,
        etcdKeyFile,
        tlsSans,
        kubeconfig,
        tokenAuthFile,
        nodeToken,
        enabled,
        disabledAdmissionPlugins,
        secretsEncryption,
        auditLog);
  }

  /** These admission plugins, by name, are not run ({@code --disable-admission-plugins}). */
  public ControlPlaneOptions withDisabledAdmissionPlugins(String... names) {
    return new ControlPlaneOptions(
        dataDir,
        bindAddress,
        port,
        datastoreEndpoint,
        etcdCaFile,
        etcdCertFile,
        etcdKeyFile,
        tlsSans,
        kubeconfig,
        tokenAuthFile,
        nodeToken,
        anonymousAuth,
        List.of(names),
        secretsEncryption,
        auditLog);
  }

  /** Whether secrets are encrypted at rest ({@code --secrets-encryption}). */
  public ControlPlaneOptions withSecretsEncryption(boolean enabled) {
    return new ControlPlaneOptions(
        dataDir,
        bindAddress,
        port,
        datastoreEndpoint,
        etcdCaFile,
        etcdCertFile,
        etcdKeyFile,
        tlsSans,
        kubeconfig,
        tokenAuthFile,
        nodeToken,
        anonymousAuth,
        disabledAdmissionPlugins,
        enabled,
        auditLog);
  }

  /** Where audit events are written ({@code --audit-log-path}); null for none. */
  public ControlPlaneOptions withAuditLog(AuditLogOptions options) {
    return new ControlPlaneOptions(
        dataDir,
        bindAddress,
        port,
        datastoreEndpoint,
        etcdCaFile,
        etcdCertFile,
        etcdKeyFile,
        tlsSans,
        kubeconfig,
        tokenAuthFile,
        nodeToken,
        anonymousAuth,
        disabledAdmissionPlugins,
        secretsEncryption,
        options);
  }
}
