package dev.skiff.proxy.netpol;

/** The side of a pod a policy rule governs: traffic to it (ingress) or from it (egress). */
public enum Direction {
  INGRESS,
  EGRESS;

  /** As in {@code spec.policyTypes}: {@code Ingress} or {@code Egress}. */
  public String policyType() {
    return this == INGRESS ? "Ingress" : "Egress";
  }

  /** {@code ingress} or {@code egress}, for chain names and comments. */
  public String lower() {
    return this == INGRESS ? "ingress" : "egress";
  }
}
