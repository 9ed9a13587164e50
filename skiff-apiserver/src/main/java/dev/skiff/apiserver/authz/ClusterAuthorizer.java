package dev.skiff.apiserver.authz;

import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.server.Authorizer;

/**
 * The API server's authorization, in kube-apiserver's default order: members of {@code
 * system:masters} are allowed everything without a lookup, then the node authorizer, then RBAC. A
 * denial is thrown as the 403 Status Kubernetes sends, so the transport renders it unchanged.
 */
public final class ClusterAuthorizer implements Authorizer {
  public static final String MASTERS = "system:masters";

  private final NodeAuthorizer nodes;
  private final RbacAuthorizer rbac;

  public ClusterAuthorizer(NodeAuthorizer nodes, RbacAuthorizer rbac) {
    this.nodes = nodes;
    this.rbac = rbac;
  }

  public RbacAuthorizer rbac() {
    return rbac;
  }

  @Override
  public Decision authorize(ApiRequest request) {
    Attributes attributes = Attributes.of(request);
    Decision decision = decide(attributes);
    if (!decision.allowed()) {
      throw Forbidden.error(attributes, decision.reason());
    }
    return decision;
  }

  /** The decision without throwing: for access reviews. */
  public Decision decide(Attributes attributes) {
    if (attributes.user() != null && attributes.user().groups().contains(MASTERS)) {
      return Decision.ALLOW;
    }
    NodeAuthorizer.Verdict node = nodes.authorize(attributes);
    if (node.allowed()) {
      return Decision.ALLOW;
    }
    if (rbac.allows(attributes)) {
      return Decision.ALLOW;
    }
    return Decision.deny(node.reason());
  }
}
