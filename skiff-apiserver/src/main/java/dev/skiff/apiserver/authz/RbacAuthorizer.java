package dev.skiff.apiserver.authz;

import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.storage.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Role-based access control over Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, read
 * from in-memory mirrors of the store. The rules that apply to a (user, groups, namespace) are
 * resolved once and cached; any change to an RBAC object clears the cache. Decisions never block,
 * so they are safe on the event loop.
 */
public final class RbacAuthorizer implements AutoCloseable {
  static final String PREFIX = "/registry/rbac.authorization.k8s.io/";
  static final String ROLES = PREFIX + "roles/";
  static final String CLUSTER_ROLES = PREFIX + "clusterroles/";
  static final String ROLE_BINDINGS = PREFIX + "rolebindings/";
  static final String CLUSTER_ROLE_BINDINGS = PREFIX + "clusterrolebindings/";
  private static final int MAX_CACHED = 10_000;

  private final StoreMirror<ObjectNode> roles;
  private final StoreMirror<ObjectNode> clusterRoles;
  private final StoreMirror<ObjectNode> roleBindings;
  private final StoreMirror<ObjectNode> clusterRoleBindings;
  private final Map<CacheKey, List<PolicyRule>> cache = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final List<Runnable> clusterRoleListeners = new CopyOnWriteArrayList<>();

  private record CacheKey(String user, List<String> groups, String namespace) {}

  public RbacAuthorizer(Store store) {
    this.roles = StoreMirror.of(store, ROLES, this::invalidate);
    this.clusterRoles = StoreMirror.of(store, CLUSTER_ROLES, this::clusterRolesChanged);
    this.roleBindings = StoreMirror.of(store, ROLE_BINDINGS, this::invalidate);
    this.clusterRoleBindings = StoreMirror.of(store, CLUSTER_ROLE_BINDINGS, this::invalidate);
  }

  /** Lists every RBAC object and starts watching; returns once the first lists are loaded. */
  public RbacAuthorizer start() {
    roles.start();
    clusterRoles.start();
    roleBindings.start();
    clusterRoleBindings.start();
    return this;
  }

  /** Waits until every mirror holds what the store holds now; true when all do in time. */
  public boolean awaitCurrent(Duration timeout) {
    return roles.awaitInSync(timeout)
        && clusterRoles.awaitInSync(timeout)
        && roleBindings.awaitInSync(timeout)
        && clusterRoleBindings.awaitInSync(timeout);
  }

  private void invalidate() {
    generation.incrementAndGet();
    cache.clear();
  }

  private void clusterRolesChanged() {
    invalidate();
    clusterRoleListeners.forEach(Runnable::run);
  }

  /** Called (on a watch thread) after any ClusterRole changes. */
  void onClusterRoleChange(Runnable listener) {
    clusterRoleListeners.add(listener);
  }

  Iterable<ObjectNode> clusterRoles() {
    return clusterRoles.objects();
  }

  /** Whether some rule bound to the request's user allows it. */
  public boolean allows(Attributes request) {
    for (PolicyRule rule : rulesFor(request.user(), request.namespace())) {
      if (rule.allows(request)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every rule that applies to {@code user} in {@code namespace} ("" = cluster-wide only): the
   * rules of ClusterRoleBindings, plus those of the namespace's RoleBindings.
   */
  public List<PolicyRule> rulesFor(UserInfo user, String namespace) {
    CacheKey key = new CacheKey(user.name(), user.groups(), namespace);
    List<PolicyRule> cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    long before = generation.get();
    List<PolicyRule> rules = resolve(user, namespace);
    if (generation.get() == before) {
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      cache.put(key, rules);
    }
    return rules;
  }

  private List<PolicyRule> resolve(UserInfo user, String namespace) {
    List<PolicyRule> rules = new ArrayList<>();
    for (ObjectNode binding : clusterRoleBindings.objects()) {
      if (appliesTo(binding, user, "")) {
        rules.addAll(roleRules(binding.path("roleRef"), ""));
      }
    }
    if (!namespace.isEmpty()) {
      for (ObjectNode binding : roleBindings.under(ROLE_BINDINGS + namespace + "/")) {
        if (appliesTo(binding, user, namespace)) {
          rules.addAll(roleRules(binding.path("roleRef"), namespace));
        }
      }
    }
    return List.copyOf(rules);
  }

  /** The rules of a roleRef: a ClusterRole, or a Role of the binding's namespace. */
  List<PolicyRule> roleRules(JsonNode roleRef, String namespace) {
    String kind = roleRef.path("kind").asString("");
    String name = roleRef.path("name").asString("");
    ObjectNode role =
        switch (kind) {
          case "ClusterRole" -> clusterRoles.get(CLUSTER_ROLES + name);
          case "Role" -> namespace.isEmpty() ? null : roles.get(ROLES + namespace + "/" + name);
          default -> null;
        };
    return role == null ? List.of() : PolicyRule.listFromJson(role.path("rules"));
  }

  /** Whether a binding's subjects include the user (Kubernetes' appliesTo). */
  static boolean appliesTo(JsonNode binding, UserInfo user, String bindingNamespace) {
    for (JsonNode subject : binding.path("subjects")) {
      String name = subject.path("name").asString("");
      switch (subject.path("kind").asString("")) {
        case "User" -> {
          if (name.equals(user.name())) {
            return true;
          }
        }
        case "Group" -> {
          if (user.groups().contains(name)) {
            return true;
          }
        }
        case "ServiceAccount" -> {
          String ns = subject.path("namespace").asString("");
          if (ns.isEmpty()) {
            ns = bindingNamespace;
          }
          if (!ns.isEmpty() && user.name().equals("system:serviceaccount:" + ns + ":" + name)) {
            return true;
          }
        }
        default -> {}
      }
    }
    return false;
  }

  @Override
  public void close() {
    roles.close();
    clusterRoles.close();
    roleBindings.close();
    clusterRoleBindings.close();
  }
}
