package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.pki.ClusterPki;
import java.nio.file.Path;
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
 */
public record SecurityOptions(
    Path tlsDirectory,
    Path tokenAuthFile,
    String issuer,
    Supplier<String> externalUrl,
    ClusterPki pki,
    BootstrapToken nodeToken) {}
