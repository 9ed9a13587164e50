package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.pki.ClusterPki;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * How the security layer is configured.
 *
 * @param tlsDirectory where the service-account signing key lives ({@code <data-dir>/tls})
 * @param tokenAuthFile static bearer tokens (Kubernetes' CSV format), or null
 * @param issuer the service-account token issuer, also the API audience
 * @param externalUrl the server's URL as clients reach it, for the JWKS location
 * @param pki the cluster CA: written into service-account token secrets, signs approved CSRs
 * @param nodeToken the node join token kept valid as a bootstrap token Secret, or null
 * @param anonymousAuth whether requests without credentials are {@code system:anonymous} (then
 *     authorized like any other) rather than 401 Unauthorized ({@code --anonymous-auth})
 * @param disabledAdmissionPlugins names of admission plugins not to run ({@code
 *     --disable-admission-plugins}), e.g. "ServiceAccount" for an API server without the controller
 *     that creates each namespace's default service account
 */
public record SecurityOptions(
    Path tlsDirectory,
    Path tokenAuthFile,
    String issuer,
    Supplier<String> externalUrl,
    ClusterPki pki,
    BootstrapToken nodeToken,
    boolean anonymousAuth,
    List<String> disabledAdmissionPlugins) {

  public SecurityOptions {
    disabledAdmissionPlugins = List.copyOf(disabledAdmissionPlugins);
  }

  /** Options with anonymous requests enabled, Kubernetes' default. */
  public SecurityOptions(
      Path tlsDirectory,
      Path tokenAuthFile,
      String issuer,
      Supplier<String> externalUrl,
      ClusterPki pki,
      BootstrapToken nodeToken) {
    this(tlsDirectory, tokenAuthFile, issuer, externalUrl, pki, nodeToken, true, List.of());
  }
}
