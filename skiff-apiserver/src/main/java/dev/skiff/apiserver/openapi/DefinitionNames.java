package dev.skiff.apiserver.openapi;

import java.util.Locale;
import java.util.Set;

/**
 * The OpenAPI definition name Kubernetes gives each model type, e.g. fabric8's {@code
 * io.fabric8.kubernetes.api.model.Pod} is {@code io.k8s.api.core.v1.Pod} and its {@code ObjectMeta}
 * is {@code io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta}. Custom resources are named like
 * Kubernetes names them: the reversed group, the version and the kind ({@code
 * com.example.v1.Widget}).
 */
final class DefinitionNames {
  private static final String FABRIC8 = "io.fabric8.kubernetes.api.model";
  private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";

  /** Types fabric8 keeps in its core package that Kubernetes defines in meta/v1. */
  private static final Set<String> META_TYPES =
      Set.of(
          "APIGroup",
          "APIGroupList",
          "APIResource",
          "APIResourceList",
          "APIVersions",
          "Condition",
          "CreateOptions",
          "DeleteOptions",
          "FieldSelectorRequirement",
          "FieldsV1",
          "GetOptions",
          "GroupVersionForDiscovery",
          "LabelSelector",
          "LabelSelectorRequirement",
          "ListMeta",
          "ListOptions",
          "ManagedFieldsEntry",
          "MicroTime",
          "ObjectMeta",
          "OwnerReference",
          "Patch",
          "PatchOptions",
          "Preconditions",
          "RootPaths",
          "ServerAddressByClientCIDR",
          "Status",
          "StatusCause",
          "StatusDetails",
          "Table",
          "TableColumnDefinition",
          "TableRow",
          "Time",
          "TypeMeta",
          "UpdateOptions",
          "WatchEvent");

  static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
  static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
  static final String TIME = META + "Time";

  private DefinitionNames() {}

  static String of(Class<?> type) {
    String simple = type.getSimpleName();
    String pkg = type.getPackageName();
    if (pkg.equals(FABRIC8)) {
      if (simple.equals("Quantity")) {
        return QUANTITY;
      }
      if (simple.equals("IntOrString")) {
        return INT_OR_STRING;
      }
      return (META_TYPES.contains(simple) ? META : "io.k8s.api.core.v1.") + simple;
    }
    if (!pkg.startsWith(FABRIC8 + ".")) {
      return pkg + "." + simple;
    }
    String rest = pkg.substring(FABRIC8.length() + 1);
    String[] parts = rest.split("\\.");
    String last = parts[parts.length - 1];
    boolean versioned = last.matches("v\\d+((alpha|beta)\\d+)?");
    String group = versioned ? rest.substring(0, rest.length() - last.length() - 1) : rest;
    String version = versioned ? last : "v1";
    if (group.equals("apiextensions")) {
      return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version + "." + simple;
    }
    return "io.k8s.api." + group + "." + version + "." + simple;
  }

  /** A custom resource's definition name: reversed group, version, kind. */
  static String custom(String group, String version, String kind) {
    String[] parts = group.toLowerCase(Locale.ROOT).split("\\.");
    StringBuilder name = new StringBuilder();
    for (int i = parts.length - 1; i >= 0; i--) {
      name.append(parts[i]).append('.');
    }
    return name + version + "." + kind;
  }
}
