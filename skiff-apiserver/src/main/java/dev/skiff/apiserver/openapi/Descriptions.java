package dev.skiff.apiserver.openapi;

import java.util.List;
import java.util.Map;

/**
 * Skiff's own short descriptions of the most used kinds and fields, and the fields Kubernetes
 * requires, shown by {@code kubectl explain}. Types and fields without an entry carry no
 * description.
 */
final class Descriptions {
  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("Pod", "A group of containers that run together on one node."),
          Map.entry("PodSpec", "What a pod runs and how: containers, volumes, scheduling."),
          Map.entry("PodStatus", "What is observed about a pod; written by the kubelet."),
          Map.entry("Container", "One container of a pod: image, command, ports, resources."),
          Map.entry("ContainerPort", "A network port a container listens on."),
          Map.entry("EnvVar", "An environment variable set in a container."),
          Map.entry("Volume", "Storage a pod's containers can mount."),
          Map.entry("VolumeMount", "Where a volume appears inside a container."),
          Map.entry("Probe", "A check the kubelet runs against a container."),
          Map.entry("ResourceRequirements", "Compute resources a container asks for and may use."),
          Map.entry("ObjectMeta", "Metadata every persisted object has: name, labels, owners."),
          Map.entry("ListMeta", "Metadata of a list: its resource version and continue token."),
          Map.entry("LabelSelector", "Selects objects by labels: equality and set expressions."),
          Map.entry("OwnerReference", "Names an object this object belongs to."),
          Map.entry("Node", "A machine that runs pods."),
          Map.entry("Namespace", "A scope for names; most objects live in one."),
          Map.entry("Service", "A stable address for a set of pods."),
          Map.entry("ServiceSpec", "How a service selects pods and which ports it exposes."),
          Map.entry("ConfigMap", "Configuration data as key-value pairs."),
          Map.entry("Secret", "Sensitive data such as passwords or keys."),
          Map.entry("ServiceAccount", "An identity for processes running in pods."),
          Map.entry("Event", "A report of something that happened to an object."),
          Map.entry("PersistentVolume", "A piece of storage in the cluster."),
          Map.entry("PersistentVolumeClaim", "A request for storage by a user."),
          Map.entry("Deployment", "Declarative rollouts of a replicated set of pods."),
          Map.entry("DeploymentSpec", "The desired pods of a deployment and how to roll them out."),
          Map.entry("DeploymentStrategy", "How a deployment replaces old pods with new ones."),
          Map.entry("RollingUpdateDeployment", "Bounds on pods during a rolling update."),
          Map.entry("ReplicaSet", "Keeps a number of identical pods running."),
          Map.entry("StatefulSet", "Pods with stable names and storage, started in order."),
          Map.entry("DaemonSet", "Runs one pod on each eligible node."),
          Map.entry("Job", "Runs pods until a number of them succeed."),
          Map.entry("CronJob", "Creates jobs on a schedule."),
          Map.entry("Ingress", "HTTP routes from outside the cluster to services."),
          Map.entry("NetworkPolicy", "Which traffic may reach or leave selected pods."),
          Map.entry("Role", "Permissions within one namespace."),
          Map.entry("ClusterRole", "Permissions across the cluster."),
          Map.entry("RoleBinding", "Grants a role's permissions to subjects in a namespace."),
          Map.entry("ClusterRoleBinding", "Grants a cluster role's permissions cluster-wide."),
          Map.entry("HorizontalPodAutoscaler", "Scales a workload by observed metrics."),
          Map.entry("PodDisruptionBudget", "Limits voluntary disruptions of a set of pods."),
          Map.entry("Lease", "A lock with a holder and an expiry, for leader election."),
          Map.entry("CustomResourceDefinition", "Adds a new resource type to the API."));

  private static final Map<String, String> FIELDS =
      Map.ofEntries(
          Map.entry("Pod.spec", "The desired state of the pod."),
          Map.entry("Pod.status", "The observed state of the pod."),
          Map.entry("PodSpec.containers", "The containers of the pod; at least one."),
          Map.entry("PodSpec.initContainers", "Containers run to completion before the others."),
          Map.entry("PodSpec.nodeName", "The node the pod is bound to."),
          Map.entry("PodSpec.volumes", "Volumes the containers can mount."),
          Map.entry("Container.name", "The container's name, unique within the pod."),
          Map.entry("Container.image", "The container image to run."),
          Map.entry("Container.command", "The entrypoint; the image's when unset."),
          Map.entry("Container.args", "Arguments to the entrypoint."),
          Map.entry("Container.env", "Environment variables of the container."),
          Map.entry("Container.ports", "Ports the container exposes."),
          Map.entry("Container.resources", "Compute resources requested and limited."),
          Map.entry("ObjectMeta.name", "The object's name, unique within its namespace or kind."),
          Map.entry("ObjectMeta.namespace", "The namespace the object lives in."),
          Map.entry("ObjectMeta.labels", "Key-value pairs used to select objects."),
          Map.entry("ObjectMeta.annotations", "Key-value pairs for tools; not used to select."),
          Map.entry("Deployment.spec", "The desired state of the deployment."),
          Map.entry("DeploymentSpec.replicas", "Number of pods wanted."),
          Map.entry("DeploymentSpec.selector", "Labels of the pods the deployment manages."),
          Map.entry("DeploymentSpec.strategy", "How existing pods are replaced by new ones."),
          Map.entry("DeploymentSpec.template", "The pods to create."),
          Map.entry("DeploymentStrategy.type", "Recreate or RollingUpdate."),
          Map.entry("DeploymentStrategy.rollingUpdate", "Parameters of a rolling update."),
          Map.entry("RollingUpdateDeployment.maxSurge", "Pods allowed above the desired count."),
          Map.entry("RollingUpdateDeployment.maxUnavailable", "Pods allowed to be unavailable."));

  /** Fields Kubernetes marks required, by type; kubectl explain shows them as -required-. */
  private static final Map<String, List<String>> REQUIRED =
      Map.ofEntries(
          Map.entry("PodSpec", List.of("containers")),
          Map.entry("Container", List.of("name")),
          Map.entry("EphemeralContainer", List.of("name")),
          Map.entry("ContainerPort", List.of("containerPort")),
          Map.entry("EnvVar", List.of("name")),
          Map.entry("Volume", List.of("name")),
          Map.entry("VolumeMount", List.of("mountPath", "name")),
          Map.entry("ConfigMapKeySelector", List.of("key")),
          Map.entry("SecretKeySelector", List.of("key")),
          Map.entry("ObjectFieldSelector", List.of("fieldPath")),
          Map.entry("KeyToPath", List.of("key", "path")),
          Map.entry("ServicePort", List.of("port")),
          Map.entry("LabelSelectorRequirement", List.of("key", "operator")),
          Map.entry("NodeSelectorRequirement", List.of("key", "operator")),
          Map.entry("OwnerReference", List.of("apiVersion", "kind", "name", "uid")),
          Map.entry("DeploymentSpec", List.of("selector", "template")),
          Map.entry("ReplicaSetSpec", List.of("selector")),
          Map.entry("StatefulSetSpec", List.of("selector", "template")),
          Map.entry("DaemonSetSpec", List.of("selector", "template")),
          Map.entry("JobSpec", List.of("template")),
          Map.entry("CronJobSpec", List.of("jobTemplate", "schedule")),
          Map.entry("RoleRef", List.of("apiGroup", "kind", "name")),
          Map.entry("Subject", List.of("kind", "name")),
          Map.entry("PolicyRule", List.of("verbs")),
          Map.entry("RoleBinding", List.of("roleRef")),
          Map.entry("ClusterRoleBinding", List.of("roleRef")),
          Map.entry("HTTPIngressPath", List.of("backend", "pathType")),
          Map.entry("HorizontalPodAutoscalerSpec", List.of("maxReplicas", "scaleTargetRef")),
          Map.entry("CrossVersionObjectReference", List.of("kind", "name")),
          Map.entry("Taint", List.of("effect", "key")));

  private Descriptions() {}

  /** The required fields of a type, or none. */
  static List<String> requiredOf(String simpleName) {
    return REQUIRED.getOrDefault(simpleName, List.of());
  }

  static String ofType(String simpleName) {
    return TYPES.get(simpleName);
  }

  static String ofField(String ownerSimpleName, String field) {
    return FIELDS.get(ownerSimpleName + "." + field);
  }
}
