package dev.skiff.api.catalog;

import java.util.List;

/**
 * One API group as {@code /apis} lists it: its name and its served versions, preferred first.
 *
 * @param group the group name, "" for the core group served under {@code /api}
 * @param versions served versions in preference order; the first is the preferred version
 */
public record GroupVersions(String group, List<String> versions) {
  public GroupVersions {
    versions = List.copyOf(versions);
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("group " + group + " has no versions");
    }
  }

  public String preferredVersion() {
    return versions.get(0);
  }

  /** "v1" for core, "group/version" otherwise. */
  public String groupVersion(String version) {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
