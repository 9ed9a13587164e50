package dev.skiff.apiserver.registry;

/**
 * The yes/no answers a kind gives the {@link GenericRegistry}.
 *
 * @param tracksGeneration metadata.generation starts at 1 and grows with every spec change
 * @param allowCreateOnUpdate a PUT of a missing object creates it
 * @param allowUnconditionalUpdate a PUT without metadata.resourceVersion overwrites
 * @param keepsStatusOnCreate a create may set status although the kind has a status subresource
 *     (nodes: kubelets register with their status); other kinds with /status start without one
 * @param nameRule how metadata.name is validated
 */
public record Traits(
    boolean tracksGeneration,
    boolean allowCreateOnUpdate,
    boolean allowUnconditionalUpdate,
    boolean keepsStatusOnCreate,
    NameRule nameRule) {

  public static final Traits DEFAULT =
      new Traits(false, false, true, false, NameRule.DNS_SUBDOMAIN);

  public Traits withGeneration() {
    return new Traits(
        true, allowCreateOnUpdate, allowUnconditionalUpdate, keepsStatusOnCreate, nameRule);
  }

  public Traits withCreateOnUpdate() {
    return new Traits(
        tracksGeneration, true, allowUnconditionalUpdate, keepsStatusOnCreate, nameRule);
  }

  public Traits withStatusKeptOnCreate() {
    return new Traits(
        tracksGeneration, allowCreateOnUpdate, allowUnconditionalUpdate, true, nameRule);
  }

  public Traits withNameRule(NameRule rule) {
    return new Traits(
        tracksGeneration, allowCreateOnUpdate, allowUnconditionalUpdate, keepsStatusOnCreate, rule);
  }
}
