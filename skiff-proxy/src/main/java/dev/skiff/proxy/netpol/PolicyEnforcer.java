package dev.skiff.proxy.netpol;

/** Makes the node's packet filter enforce a set of compiled network policies. */
public interface PolicyEnforcer {

  /** Applies {@code policies} atomically; throws if they could not be applied. */
  void sync(CompiledPolicies policies);
}
