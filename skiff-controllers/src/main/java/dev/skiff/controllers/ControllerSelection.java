package dev.skiff.controllers;

import java.util.List;
import java.util.Set;

/**
 * kube-controller-manager's {@code --controllers} rule: "-name" disables, "name" enables, "*"
 * enables every controller that is on by default; a name not covered is off.
 */
public record ControllerSelection(List<String> entries) {

  public ControllerSelection {
    entries = entries.stream().map(String::trim).filter(e -> !e.isEmpty()).toList();
  }

  public boolean enabled(String controller, boolean onByDefault) {
    if (entries.contains("-" + controller)) {
      return false;
    }
    if (entries.contains(controller)) {
      return true;
    }
    return onByDefault && entries.contains("*");
  }

  /** Names in the list that are not known controllers (a typo should fail the start). */
  public List<String> unknown(Set<String> known) {
    return entries.stream()
        .map(e -> e.startsWith("-") ? e.substring(1) : e)
        .filter(name -> !name.equals("*") && !known.contains(name))
        .toList();
  }
}
