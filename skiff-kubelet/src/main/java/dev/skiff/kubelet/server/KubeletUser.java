package dev.skiff.kubelet.server;

import java.util.List;

/** Who made a request to the kubelet API: a user name and groups, as the API server knows them. */
public record KubeletUser(String name, List<String> groups) {
  public KubeletUser {
    groups = List.copyOf(groups);
  }
}
