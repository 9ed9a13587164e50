package dev.skiff.apiserver.auth;

import dev.skiff.apiserver.admission.Admission;
import dev.skiff.apiserver.admission.AdmissionChain;
import dev.skiff.apiserver.admission.AdmissionPlugin;
import dev.skiff.apiserver.admission.CsrRequester;
import dev.skiff.apiserver.admission.DefaultStorageClass;
import dev.skiff.apiserver.admission.DefaultTolerationSeconds;
import dev.skiff.apiserver.admission.LimitRanger;
import dev.skiff.apiserver.admission.NodeRestriction;
import dev.skiff.apiserver.admission.PodSecurity;
import dev.skiff.apiserver.admission.PriorityAdmission;
import dev.skiff.apiserver.admission.ResourceQuotaAdmission;
import dev.skiff.apiserver.admission.ServiceAccountAdmission;
import dev.skiff.apiserver.admission.StorageObjectInUseProtection;
import dev.skiff.apiserver.admission.policy.ValidatingAdmissionPolicyPlugin;
import dev.skiff.apiserver.admission.webhook.AdmissionWebhooks;
import dev.skiff.apiserver.authz.ClusterAuthorizer;
import dev.skiff.apiserver.authz.ClusterRoleAggregator;
import dev.skiff.apiserver.authz.EscalationGuard;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.authz.NodeAuthorizer;
import dev.skiff.apiserver.authz.PolicyReconciler;
import dev.skiff.apiserver.authz.RbacAuthorizer;
import dev.skiff.apiserver.authz.ReviewApis;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.server.Authenticator;
import dev.skiff.apiserver.server.Authorizer;
import dev.skiff.apiserver.server.X509Authenticator;
import dev.skiff.storage.Store;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The API server's security layer assembled: authentication (client certificates, then
 * impersonation), authorization (system:masters, node authorizer, RBAC with the default policy
 * reconciled at start and ClusterRole aggregation) and the security APIs (access reviews,
 * SelfSubjectReview, token APIs, RBAC escalation checks) and admission in front of the registry.
 *
 * <pre>{@code
 * Security security = Security.start(store, registry);
 * ApiHandler handler = security.wrap(router);
 * new ApiServer(options, tls, handler, health, security.authenticator(), security.authorizer());
 * }</pre>
 */
public final class Security implements AutoCloseable {
  private final RbacAuthorizer rbac;
  private final NodeAuthorizer nodes;
  private final ClusterRoleAggregator aggregator;
  private final ClusterAuthorizer authorizer;
  private final Authenticator authenticator;
  private final BearerTokenAuthenticator bearer;
  private final ServiceAccountTokens tokens;
  private final ServiceAccountKey key;
  private final Loopback loopback;
  private final SecurityOptions options;
  private final LegacyTokenController legacyTokens;
  private final CsrSigner signer;
  private final NodeCsrApprover approver;
  private final AdmissionWebhooks webhooks;
  private final ValidatingAdmissionPolicyPlugin policies;

  private Security(
      RbacAuthorizer rbac,
      NodeAuthorizer nodes,
      ClusterRoleAggregator aggregator,
      ClusterAuthorizer authorizer,
      Authenticator authenticator,
      BearerTokenAuthenticator bearer,
      ServiceAccountTokens tokens,
      ServiceAccountKey key,
      Loopback loopback,
      SecurityOptions options,
      LegacyTokenController legacyTokens,
      CsrSigner signer,
      NodeCsrApprover approver,
      AdmissionWebhooks webhooks,
      ValidatingAdmissionPolicyPlugin policies) {
    this.rbac = rbac;
    this.nodes = nodes;
    this.aggregator = aggregator;
    this.authorizer = authorizer;
    this.authenticator = authenticator;
    this.bearer = bearer;
    this.tokens = tokens;
    this.key = key;
    this.loopback = loopback;
    this.options = options;
    this.legacyTokens = legacyTokens;
    this.signer = signer;
    this.approver = approver;
    this.webhooks = webhooks;
    this.policies = policies;
  }

  /**
   * Loads RBAC state from {@code store}, reconciles the default roles and bindings through {@code
   * registry} (the resource handler, called as system:apiserver) and aggregates ClusterRoles;
   * returns when authorization reflects them.
   */
  public static Security start(Store store, ApiHandler registry, SecurityOptions options) {
    RbacAuthorizer rbac = new RbacAuthorizer(store).start();
    NodeAuthorizer nodes = null;
    ClusterRoleAggregator aggregator = null;
    BearerTokenAuthenticator bearer = null;
    LegacyTokenController legacyTokens = null;
    CsrSigner signer = null;
    NodeCsrApprover approver = null;
    AdmissionWebhooks webhooks = null;
    ValidatingAdmissionPolicyPlugin policies = null;
    try {
      ServiceAccountKey key = ServiceAccountKey.loadOrCreate(options.tlsDirectory());
      ServiceAccountTokens tokens =
          new ServiceAccountTokens(
              key, options.issuer(), List.of(options.issuer()), InstantSource.system());
      TokenFile tokenFile =
          options.tokenAuthFile() == null ? null : TokenFile.load(options.tokenAuthFile());
      bearer = new BearerTokenAuthenticator(tokenFile, tokens, store).start();
      nodes = new NodeAuthorizer(store).start();
      Loopback loopback = new Loopback(registry);
      new PolicyReconciler(loopback).reconcile();
      PriorityAdmission.ensureSystemClasses(loopback);
      rbac.awaitCurrent(Duration.ofSeconds(10));
      legacyTokens =
          new LegacyTokenController(store, tokens, loopback, options.pki().caCertificatePem())
              .start();
      signer = new CsrSigner(store, options.pki(), loopback).start();
      aggregator = new ClusterRoleAggregator(rbac, loopback);
      aggregator.start();
      rbac.awaitCurrent(Duration.ofSeconds(10));
      ClusterAuthorizer authorizer = new ClusterAuthorizer(nodes, rbac);
      approver = new NodeCsrApprover(store, authorizer, loopback).start();
      webhooks = new AdmissionWebhooks(store, loopback).start();
      policies = ValidatingAdmissionPolicyPlugin.start(store, loopback);
      if (options.nodeToken() != null) {
        ensureBootstrapSecret(loopback, options.nodeToken());
      }
      List<Authenticator> authenticators = new ArrayList<>();
      authenticators.add(new X509Authenticator());
      authenticators.add(bearer);
      authenticators.add(new AnonymousAuthenticator(options.anonymousAuth()));
      Authenticator authenticator =
          new Impersonation(Authenticator.chain(authenticators), authorizer);
      return new Security(
          rbac,
          nodes,
          aggregator,
          authorizer,
          authenticator,
          bearer,
          tokens,
          key,
          loopback,
          options,
          legacyTokens,
          signer,
          approver,
          webhooks,
          policies);
    } catch (RuntimeException e) {
      rbac.close();
      if (policies != null) {
        policies.close();
      }
      if (webhooks != null) {
        webhooks.close();
      }
      if (approver != null) {
        approver.close();
      }
      if (bearer != null) {
        bearer.close();
      }
      if (legacyTokens != null) {
        legacyTokens.close();
      }
      if (signer != null) {
        signer.close();
      }
      if (nodes != null) {
        nodes.close();
      }
      if (aggregator != null) {
        aggregator.close();
      }
      throw e;
    }
  }

  /** Creates or corrects the kube-system Secret that makes the node join token valid. */
  private static void ensureBootstrapSecret(Loopback loopback, BootstrapToken token) {
    tools.jackson.databind.node.ObjectNode wanted = token.secretObject();
    String collection = "/api/v1/namespaces/" + BootstrapToken.NAMESPACE + "/secrets";
    String path = collection + "/" + wanted.path("metadata").path("name").asString();
    java.util.Optional<tools.jackson.databind.node.ObjectNode> existing = loopback.get(path);
    if (existing.isEmpty()) {
      loopback.create(collection, wanted);
    } else if (!existing.get().path("data").equals(wanted.path("data"))) {
      tools.jackson.databind.node.ObjectNode fixed = existing.get();
      fixed.set("data", wanted.path("data"));
      fixed.put("type", BootstrapToken.SECRET_TYPE);
      loopback.update(path, fixed);
    }
  }

  /** The node join token, or null when the server has none. */
  public BootstrapToken nodeToken() {
    return options.nodeToken();
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public Authorizer authorizer() {
    return authorizer;
  }

  public ClusterAuthorizer clusterAuthorizer() {
    return authorizer;
  }

  /**
   * Waits until authorization reflects every RBAC object and pod (and admission every webhook
   * configuration) stored now (it follows the store by watch, so a binding just written may take a
   * moment to apply); true when it does in time.
   */
  public boolean awaitCurrent(Duration timeout) {
    return rbac.awaitCurrent(timeout)
        && nodes.awaitCurrent(timeout)
        && bearer.awaitCurrent(timeout)
        && webhooks.awaitCurrent(timeout)
        && policies.awaitCurrent(timeout);
  }

  /** The security APIs and RBAC escalation checks in front of {@code router}. */
  public ApiHandler wrap(ApiHandler router) {
    ApiHandler tokenApis =
        new TokenApis(
            new ApprovalApis(new EscalationGuard(router, authorizer), loopback, authorizer),
            tokens,
            key,
            bearer,
            loopback,
            options.externalUrl(),
            InstantSource.system());
    AdmissionChain admission =
        new AdmissionChain(
            List.<AdmissionPlugin>of(
                    new CsrRequester(),
                    new LimitRanger(loopback),
                    new ServiceAccountAdmission(loopback),
                    new PriorityAdmission(loopback),
                    new DefaultTolerationSeconds(),
                    new DefaultStorageClass(loopback),
                    new StorageObjectInUseProtection(),
                    new PodSecurity(loopback),
                    new NodeRestriction(),
                    webhooks.mutating(),
                    policies,
                    webhooks.validating(),
                    new ResourceQuotaAdmission(loopback))
                .stream()
                .filter(plugin -> !options.disabledAdmissionPlugins().contains(plugin.name()))
                .toList());
    return Admission.scope(new ReviewApis(tokenApis, authorizer), admission);
  }

  /** Issues and verifies service-account tokens. */
  public ServiceAccountTokens serviceAccountTokens() {
    return tokens;
  }

  @Override
  public void close() {
    policies.close();
    webhooks.close();
    approver.close();
    signer.close();
    legacyTokens.close();
    bearer.close();
    aggregator.close();
    nodes.close();
    rbac.close();
  }
}
