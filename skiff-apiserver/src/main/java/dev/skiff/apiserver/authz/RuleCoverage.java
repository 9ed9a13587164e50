package dev.skiff.apiserver.authz;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether one set of rules grants everything another does (Kubernetes' rule coverage, used by
 * escalation prevention): each requested rule is broken into atomic rules of one verb, group,
 * resource and name (or one verb and path), and each atomic rule must be covered by some owned
 * rule.
 */
public final class RuleCoverage {
  private RuleCoverage() {}

  /** The atomic rules of {@code requested} that {@code owned} does not cover; empty if covered. */
  public static List<PolicyRule> covers(List<PolicyRule> owned, List<PolicyRule> requested) {
    List<PolicyRule> missing = new ArrayList<>();
    for (PolicyRule rule : requested) {
      for (PolicyRule atom : breakdown(rule)) {
        if (owned.stream().noneMatch(o -> ruleCovers(o, atom))) {
          missing.add(atom);
        }
      }
    }
    return missing;
  }

  static List<PolicyRule> breakdown(PolicyRule rule) {
    List<PolicyRule> atoms = new ArrayList<>();
    for (String group : rule.apiGroups()) {
      for (String resource : rule.resources()) {
        for (String verb : rule.verbs()) {
          if (rule.resourceNames().isEmpty()) {
            atoms.add(PolicyRule.resources(List.of(verb), List.of(group), List.of(resource)));
          } else {
            for (String name : rule.resourceNames()) {
              atoms.add(
                  PolicyRule.resources(List.of(verb), List.of(group), List.of(resource))
                      .withNames(name));
            }
          }
        }
      }
    }
    for (String url : rule.nonResourceURLs()) {
      for (String verb : rule.verbs()) {
        atoms.add(PolicyRule.nonResource(List.of(verb), List.of(url)));
      }
    }
    return atoms;
  }

  static boolean ruleCovers(PolicyRule owner, PolicyRule atom) {
    if (!coversAll(owner.verbs(), atom.verbs())) {
      return false;
    }
    if (!atom.nonResourceURLs().isEmpty()) {
      for (String url : atom.nonResourceURLs()) {
        if (!owner.matchesPath(url)) {
          return false;
        }
      }
      return true;
    }
    if (!atom.apiGroups().isEmpty() && !coversAll(owner.apiGroups(), atom.apiGroups())) {
      return false;
    }
    for (String resource : atom.resources()) {
      if (owner.resources().contains(PolicyRule.ALL) || owner.resources().contains(resource)) {
        continue;
      }
      int slash = resource.indexOf('/');
      if (slash < 0 || !owner.resources().contains("*/" + resource.substring(slash + 1))) {
        return false;
      }
    }
    if (owner.resourceNames().isEmpty()) {
      return true;
    }
    return !atom.resourceNames().isEmpty()
        && owner.resourceNames().containsAll(atom.resourceNames());
  }

  private static boolean coversAll(List<String> owned, List<String> requested) {
    return owned.contains(PolicyRule.ALL) || owned.containsAll(requested);
  }
}
