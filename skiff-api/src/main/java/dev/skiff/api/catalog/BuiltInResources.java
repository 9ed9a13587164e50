package dev.skiff.api.catalog;

import dev.skiff.api.ResourceType;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.ComponentStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authorization.v1.LocalSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.storage.CSIDriver;
import io.fabric8.kubernetes.api.model.storage.CSINode;
import io.fabric8.kubernetes.api.model.storage.CSIStorageCapacity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resources a Kubernetes v1.32 API server serves for the groups Skiff implements, with the
 * names, scopes, short names, categories, verbs and subresources its discovery documents list, and
 * the groups in the order of its {@code /apis} (the aggregator's group priorities, highest first).
 */
final class BuiltInResources {
  static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  static final List<String> NAMESPACE_VERBS =
      List.of("create", "delete", "get", "list", "patch", "update", "watch");
  static final List<String> CREATE = List.of("create");
  static final List<String> GET_LIST = List.of("get", "list");
  static final List<String> GET_PATCH_UPDATE = List.of("get", "patch", "update");
  static final List<String> CREATE_GET = List.of("create", "get");
  static final List<String> PROXY_VERBS = List.of("create", "delete", "get", "patch", "update");

  private static final List<String> ALL = List.of("all");
  private static final List<String> API_EXTENSIONS = List.of("api-extensions");

  /** Everything the catalog is built from: types, their models, subresources and group order. */
  record Table(
      List<ResourceType> types,
      Map<ResourceType, Class<?>> models,
      Map<String, Map<String, Subresource>> subresources,
      List<GroupVersions> groups) {}

  private final List<ResourceType> types = new ArrayList<>();
  private final Map<ResourceType, Class<?>> models = new LinkedHashMap<>();
  private final Map<String, Map<String, Subresource>> subresources = new LinkedHashMap<>();

  private BuiltInResources() {}

  static Table create() {
    BuiltInResources b = new BuiltInResources();
    b.core();
    b.rest();
    List<GroupVersions> groups =
        List.of(
            new GroupVersions("", List.of("v1")),
            new GroupVersions("apps", List.of("v1")),
            new GroupVersions("events.k8s.io", List.of("v1")),
            new GroupVersions("authentication.k8s.io", List.of("v1")),
            new GroupVersions("authorization.k8s.io", List.of("v1")),
            new GroupVersions("autoscaling", List.of("v2", "v1")),
            new GroupVersions("batch", List.of("v1")),
            new GroupVersions("certificates.k8s.io", List.of("v1")),
            new GroupVersions("networking.k8s.io", List.of("v1")),
            new GroupVersions("policy", List.of("v1")),
            new GroupVersions("rbac.authorization.k8s.io", List.of("v1")),
            new GroupVersions("storage.k8s.io", List.of("v1")),
            new GroupVersions("admissionregistration.k8s.io", List.of("v1")),
            new GroupVersions("apiextensions.k8s.io", List.of("v1")),
            new GroupVersions("scheduling.k8s.io", List.of("v1")),
            new GroupVersions("coordination.k8s.io", List.of("v1")),
            new GroupVersions("node.k8s.io", List.of("v1")),
            new GroupVersions("discovery.k8s.io", List.of("v1")));
    return new Table(b.types, b.models, b.subresources, groups);
  }

  private void core() {
    add("", "v1", "Binding", "bindings", true, List.of(), List.of(), CREATE, Binding.class);
    add(
        "",
        "v1",
        "ComponentStatus",
        "componentstatuses",
        false,
        List.of("cs"),
        List.of(),
        GET_LIST,
        ComponentStatus.class);
    add("", "v1", "ConfigMap", "configmaps", true, List.of("cm"), ConfigMap.class);
    add("", "v1", "Endpoints", "endpoints", true, List.of("ep"), Endpoints.class);
    add(
        "",
        "v1",
        "Event",
        "events",
        true,
        List.of("ev"),
        io.fabric8.kubernetes.api.model.Event.class);
    add("", "v1", "LimitRange", "limitranges", true, List.of("limits"), LimitRange.class);
    add(
        "",
        "v1",
        "Namespace",
        "namespaces",
        false,
        List.of("ns"),
        List.of(),
        NAMESPACE_VERBS,
        Namespace.class,
        sub("finalize", "", "v1", "Namespace", List.of("update")),
        status("", "v1", "Namespace"));
    add(
        "",
        "v1",
        "Node",
        "nodes",
        false,
        List.of("no"),
        List.of(),
        ALL_VERBS,
        Node.class,
        sub("proxy", "", "v1", "NodeProxyOptions", PROXY_VERBS),
        status("", "v1", "Node"));
    add(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        List.of("pvc"),
        List.of(),
        ALL_VERBS,
        PersistentVolumeClaim.class,
        status("", "v1", "PersistentVolumeClaim"));
    add(
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        false,
        List.of("pv"),
        List.of(),
        ALL_VERBS,
        PersistentVolume.class,
        status("", "v1", "PersistentVolume"));
    add(
        "",
        "v1",
        "Pod",
        "pods",
        true,
        List.of("po"),
        ALL,
        ALL_VERBS,
        Pod.class,
        sub("attach", "", "v1", "PodAttachOptions", CREATE_GET),
        sub("binding", "", "v1", "Binding", CREATE),
        sub("ephemeralcontainers", "", "v1", "Pod", GET_PATCH_UPDATE),
        sub("eviction", "policy", "v1", "Eviction", CREATE),
        sub("exec", "", "v1", "PodExecOptions", CREATE_GET),
        sub("log", "", "v1", "Pod", List.of("get")),
        sub("portforward", "", "v1", "PodPortForwardOptions", CREATE_GET),
        sub("proxy", "", "v1", "PodProxyOptions", PROXY_VERBS),
        sub("resize", "", "v1", "Pod", GET_PATCH_UPDATE),
        status("", "v1", "Pod"));
    add("", "v1", "PodTemplate", "podtemplates", true, List.of(), PodTemplate.class);
    add(
        "",
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        true,
        List.of("rc"),
        ALL,
        ALL_VERBS,
        ReplicationController.class,
        scale(),
        status("", "v1", "ReplicationController"));
    add(
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        true,
        List.of("quota"),
        List.of(),
        ALL_VERBS,
        ResourceQuota.class,
        status("", "v1", "ResourceQuota"));
    add("", "v1", "Secret", "secrets", true, List.of(), Secret.class);
    add(
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        true,
        List.of("sa"),
        List.of(),
        ALL_VERBS,
        ServiceAccount.class,
        sub("token", "authentication.k8s.io", "v1", "TokenRequest", CREATE));
    add(
        "",
        "v1",
        "Service",
        "services",
        true,
        List.of("svc"),
        ALL,
        ALL_VERBS,
        Service.class,
        sub("proxy", "", "v1", "ServiceProxyOptions", PROXY_VERBS),
        status("", "v1", "Service"));
  }

  private void rest() {
    String apps = "apps";
    add(
        apps,
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        true,
        List.of(),
        ControllerRevision.class);
    add(
        apps,
        "v1",
        "DaemonSet",
        "daemonsets",
        true,
        List.of("ds"),
        ALL,
        ALL_VERBS,
        DaemonSet.class,
        status(apps, "v1", "DaemonSet"));
    add(
        apps,
        "v1",
        "Deployment",
        "deployments",
        true,
        List.of("deploy"),
        ALL,
        ALL_VERBS,
        Deployment.class,
        scale(),
        status(apps, "v1", "Deployment"));
    add(
        apps,
        "v1",
        "ReplicaSet",
        "replicasets",
        true,
        List.of("rs"),
        ALL,
        ALL_VERBS,
        ReplicaSet.class,
        scale(),
        status(apps, "v1", "ReplicaSet"));
    add(
        apps,
        "v1",
        "StatefulSet",
        "statefulsets",
        true,
        List.of("sts"),
        ALL,
        ALL_VERBS,
        StatefulSet.class,
        scale(),
        status(apps, "v1", "StatefulSet"));

    add(
        "events.k8s.io",
        "v1",
        "Event",
        "events",
        true,
        List.of("ev"),
        io.fabric8.kubernetes.api.model.events.v1.Event.class);

    String authn = "authentication.k8s.io";
    add(
        authn,
        "v1",
        "SelfSubjectReview",
        "selfsubjectreviews",
        false,
        List.of(),
        List.of(),
        CREATE,
        SelfSubjectReview.class);
    add(
        authn,
        "v1",
        "TokenReview",
        "tokenreviews",
        false,
        List.of(),
        List.of(),
        CREATE,
        TokenReview.class);

    String authz = "authorization.k8s.io";
    add(
        authz,
        "v1",
        "LocalSubjectAccessReview",
        "localsubjectaccessreviews",
        true,
        List.of(),
        List.of(),
        CREATE,
        LocalSubjectAccessReview.class);
    add(
        authz,
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        false,
        List.of(),
        List.of(),
        CREATE,
        SelfSubjectAccessReview.class);
    add(
        authz,
        "v1",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
        false,
        List.of(),
        List.of(),
        CREATE,
        SelfSubjectRulesReview.class);
    add(
        authz,
        "v1",
        "SubjectAccessReview",
        "subjectaccessreviews",
        false,
        List.of(),
        List.of(),
        CREATE,
        SubjectAccessReview.class);

    // Both versions of HorizontalPodAutoscaler share one set of objects, stored as v2.
    add(
        "autoscaling",
        "v2",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        List.of("hpa"),
        ALL,
        ALL_VERBS,
        io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class,
        status("autoscaling", "v2", "HorizontalPodAutoscaler"));
    add(
        "autoscaling",
        "v1",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        List.of("hpa"),
        ALL,
        ALL_VERBS,
        io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler.class,
        status("autoscaling", "v1", "HorizontalPodAutoscaler"));

    add(
        "batch",
        "v1",
        "CronJob",
        "cronjobs",
        true,
        List.of("cj"),
        ALL,
        ALL_VERBS,
        CronJob.class,
        status("batch", "v1", "CronJob"));
    add(
        "batch",
        "v1",
        "Job",
        "jobs",
        true,
        List.of(),
        ALL,
        ALL_VERBS,
        Job.class,
        status("batch", "v1", "Job"));

    String certs = "certificates.k8s.io";
    add(
        certs,
        "v1",
        "CertificateSigningRequest",
        "certificatesigningrequests",
        false,
        List.of("csr"),
        List.of(),
        ALL_VERBS,
        CertificateSigningRequest.class,
        sub("approval", certs, "v1", "CertificateSigningRequest", GET_PATCH_UPDATE),
        status(certs, "v1", "CertificateSigningRequest"));

    String net = "networking.k8s.io";
    add(net, "v1", "IngressClass", "ingressclasses", false, List.of(), IngressClass.class);
    add(
        net,
        "v1",
        "Ingress",
        "ingresses",
        true,
        List.of("ing"),
        List.of(),
        ALL_VERBS,
        Ingress.class,
        status(net, "v1", "Ingress"));
    add(
        net,
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        List.of("netpol"),
        NetworkPolicy.class);

    add(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        List.of("pdb"),
        List.of(),
        ALL_VERBS,
        PodDisruptionBudget.class,
        status("policy", "v1", "PodDisruptionBudget"));

    String rbac = "rbac.authorization.k8s.io";
    add(
        rbac,
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        List.of(),
        ClusterRoleBinding.class);
    add(rbac, "v1", "ClusterRole", "clusterroles", false, List.of(), ClusterRole.class);
    add(rbac, "v1", "RoleBinding", "rolebindings", true, List.of(), RoleBinding.class);
    add(rbac, "v1", "Role", "roles", true, List.of(), Role.class);

    String storage = "storage.k8s.io";
    add(storage, "v1", "CSIDriver", "csidrivers", false, List.of(), CSIDriver.class);
    add(storage, "v1", "CSINode", "csinodes", false, List.of(), CSINode.class);
    add(
        storage,
        "v1",
        "CSIStorageCapacity",
        "csistoragecapacities",
        true,
        List.of(),
        CSIStorageCapacity.class);
    add(storage, "v1", "StorageClass", "storageclasses", false, List.of("sc"), StorageClass.class);
    add(
        storage,
        "v1",
        "VolumeAttachment",
        "volumeattachments",
        false,
        List.of(),
        List.of(),
        ALL_VERBS,
        VolumeAttachment.class,
        status(storage, "v1", "VolumeAttachment"));

    String admission = "admissionregistration.k8s.io";
    add(
        admission,
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
        List.of(),
        API_EXTENSIONS,
        ALL_VERBS,
        MutatingWebhookConfiguration.class);
    add(
        admission,
        "v1",
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        false,
        List.of(),
        API_EXTENSIONS,
        ALL_VERBS,
        ValidatingAdmissionPolicy.class,
        status(admission, "v1", "ValidatingAdmissionPolicy"));
    add(
        admission,
        "v1",
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        false,
        List.of(),
        API_EXTENSIONS,
        ALL_VERBS,
        ValidatingAdmissionPolicyBinding.class);
    add(
        admission,
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
        List.of(),
        API_EXTENSIONS,
        ALL_VERBS,
        ValidatingWebhookConfiguration.class);

    String apiext = "apiextensions.k8s.io";
    add(
        apiext,
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        List.of("crd", "crds"),
        API_EXTENSIONS,
        ALL_VERBS,
        CustomResourceDefinition.class,
        status(apiext, "v1", "CustomResourceDefinition"));

    add(
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        false,
        List.of("pc"),
        PriorityClass.class);
    add("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), Lease.class);
    add(
        "node.k8s.io",
        "v1",
        "RuntimeClass",
        "runtimeclasses",
        false,
        List.of(),
        RuntimeClass.class);
    add(
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "endpointslices",
        true,
        List.of(),
        EndpointSlice.class);
  }

  static Subresource sub(
      String name, String group, String version, String kind, List<String> verbs) {
    return new Subresource(name, group, version, kind, verbs);
  }

  static Subresource status(String group, String version, String kind) {
    return new Subresource("status", group, version, kind, GET_PATCH_UPDATE);
  }

  static Subresource scale() {
    return new Subresource("scale", "autoscaling", "v1", "Scale", GET_PATCH_UPDATE);
  }

  private void add(
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced,
      List<String> shortNames,
      Class<?> model) {
    add(group, version, kind, plural, namespaced, shortNames, List.of(), ALL_VERBS, model);
  }

  private void add(
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced,
      List<String> shortNames,
      List<String> categories,
      List<String> verbs,
      Class<?> model,
      Subresource... subs) {
    add(
        group,
        version,
        version,
        kind,
        plural,
        namespaced,
        shortNames,
        categories,
        verbs,
        model,
        subs);
  }

  private void add(
      String group,
      String version,
      String storageVersion,
      String kind,
      String plural,
      boolean namespaced,
      List<String> shortNames,
      List<String> categories,
      List<String> verbs,
      Class<?> model,
      Subresource... subs) {
    List<String> subNames = new ArrayList<>();
    Map<String, Subresource> byName = new LinkedHashMap<>();
    for (Subresource s : subs) {
      subNames.add(s.name());
      byName.put(s.name(), s);
    }
    ResourceType type =
        new ResourceType(
            group,
            version,
            kind,
            plural,
            kind.toLowerCase(java.util.Locale.ROOT),
            namespaced,
            shortNames,
            categories,
            verbs,
            subNames,
            storageVersion);
    types.add(type);
    models.put(type, model);
    subresources.put(ResourceCatalog.subresourceKey(group, version, plural), byName);
  }
}
