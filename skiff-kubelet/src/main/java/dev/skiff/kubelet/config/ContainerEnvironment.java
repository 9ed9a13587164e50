package dev.skiff.kubelet.config;

import dev.skiff.kubelet.pod.PodConfigException;
import dev.skiff.kubelet.volume.DownwardApi;
import dev.skiff.kubelet.volume.PodVolumes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's environment as Kubernetes builds it: {@code envFrom} first (configMaps and secrets,
 * with prefix, keys in sorted order; keys that are not valid variable names skipped), then {@code
 * env} in order (values expanded against the variables declared before and the service variables;
 * configMapKeyRef, secretKeyRef, fieldRef and resourceFieldRef resolved), then the service
 * variables the container did not set itself.
 */
public final class ContainerEnvironment {
  private static final Logger log = LoggerFactory.getLogger(ContainerEnvironment.class);
  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
  static final String CONFIG_ERROR = "CreateContainerConfigError";

  private final KubernetesClient client;
  private final String nodeIp;
  private final Map<String, Quantity> allocatable;

  public ContainerEnvironment(
      KubernetesClient client, String nodeIp, Map<String, Quantity> allocatable) {
    this.client = client;
    this.nodeIp = nodeIp;
    this.allocatable = Map.copyOf(allocatable);
  }

  /** The variables in the order the container gets them. */
  public Map<String, String> resolve(Pod pod, Container container, String podIp)
      throws PodConfigException {
    String namespace = pod.getMetadata().getNamespace();
    boolean serviceLinks = !Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks());
    Map<String, String> serviceEnv = serviceEnvironment(namespace, serviceLinks);
    Map<String, ConfigMap> configMaps = new HashMap<>();
    Map<String, Map<String, byte[]>> secrets = new HashMap<>();
    Map<String, String> env = new LinkedHashMap<>();

    List<EnvFromSource> envFrom =
        container.getEnvFrom() == null ? List.of() : container.getEnvFrom();
    for (EnvFromSource source : envFrom) {
      String prefix = source.getPrefix() == null ? "" : source.getPrefix();
      List<String> invalid = new ArrayList<>();
      if (source.getConfigMapRef() != null) {
        String name = source.getConfigMapRef().getName();
        ConfigMap configMap =
            configMap(
                configMaps,
                namespace,
                name,
                Boolean.TRUE.equals(source.getConfigMapRef().getOptional()));
        if (configMap == null) {
          continue;
        }
        if (configMap.getData() != null) {
          for (Map.Entry<String, String> entry : new TreeMap<>(configMap.getData()).entrySet()) {
            putValid(env, prefix + entry.getKey(), entry.getValue(), invalid);
          }
        }
        logInvalid(invalid, "configMap", namespace, name);
      } else if (source.getSecretRef() != null) {
        String name = source.getSecretRef().getName();
        Map<String, byte[]> secret =
            secret(
                secrets, namespace, name, Boolean.TRUE.equals(source.getSecretRef().getOptional()));
        if (secret == null) {
          continue;
        }
        for (Map.Entry<String, byte[]> entry : new TreeMap<>(secret).entrySet()) {
          putValid(
              env,
              prefix + entry.getKey(),
              new String(entry.getValue(), StandardCharsets.UTF_8),
              invalid);
        }
        logInvalid(invalid, "secret", namespace, name);
      }
    }

    List<EnvVar> declared = container.getEnv() == null ? List.of() : container.getEnv();
    for (EnvVar var : declared) {
      String value = var.getValue() == null ? "" : var.getValue();
      EnvVarSource from = var.getValueFrom();
      if (!value.isEmpty()) {
        value = Expansion.expand(value, Expansion.mappingFor(env, serviceEnv));
      } else if (from != null) {
        if (from.getFieldRef() != null) {
          value = fieldValue(pod, from.getFieldRef().getFieldPath(), podIp);
        } else if (from.getResourceFieldRef() != null) {
          value = resourceValue(pod, container, from.getResourceFieldRef());
        } else if (from.getConfigMapKeyRef() != null) {
          ConfigMapKeySelector ref = from.getConfigMapKeyRef();
          boolean optional = Boolean.TRUE.equals(ref.getOptional());
          ConfigMap configMap = configMap(configMaps, namespace, ref.getName(), optional);
          if (configMap == null) {
            continue;
          }
          String found = configMap.getData() == null ? null : configMap.getData().get(ref.getKey());
          if (found == null) {
            if (optional) {
              continue;
            }
            throw new PodConfigException(
                CONFIG_ERROR,
                "couldn't find key "
                    + ref.getKey()
                    + " in ConfigMap "
                    + namespace
                    + "/"
                    + ref.getName());
          }
          value = found;
        } else if (from.getSecretKeyRef() != null) {
          SecretKeySelector ref = from.getSecretKeyRef();
          boolean optional = Boolean.TRUE.equals(ref.getOptional());
          Map<String, byte[]> secret = secret(secrets, namespace, ref.getName(), optional);
          if (secret == null) {
            continue;
          }
          byte[] found = secret.get(ref.getKey());
          if (found == null) {
            if (optional) {
              continue;
            }
            throw new PodConfigException(
                CONFIG_ERROR,
                "couldn't find key "
                    + ref.getKey()
                    + " in Secret "
                    + namespace
                    + "/"
                    + ref.getName());
          }
          value = new String(found, StandardCharsets.UTF_8);
        }
      }
      env.put(var.getName(), value);
    }
    for (Map.Entry<String, String> entry : serviceEnv.entrySet()) {
      env.putIfAbsent(entry.getKey(), entry.getValue());
    }
    return env;
  }

  String fieldValue(Pod pod, String fieldPath, String podIp) throws PodConfigException {
    return switch (fieldPath) {
      case "spec.nodeName" -> nullToEmpty(pod.getSpec().getNodeName());
      case "spec.serviceAccountName" -> nullToEmpty(pod.getSpec().getServiceAccountName());
      case "status.hostIP", "status.hostIPs" -> nullToEmpty(nodeIp);
      case "status.podIP", "status.podIPs" -> nullToEmpty(podIp);
      default -> {
        try {
          yield DownwardApi.metadataField(pod, fieldPath);
        } catch (IllegalArgumentException e) {
          throw new PodConfigException(CONFIG_ERROR, e.getMessage());
        }
      }
    };
  }

  private String resourceValue(Pod pod, Container container, ResourceFieldSelector selector)
      throws PodConfigException {
    Container target = container;
    String name = selector.getContainerName();
    if (name != null && !name.isEmpty() && !name.equals(container.getName())) {
      List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
      if (pod.getSpec().getInitContainers() != null) {
        all.addAll(pod.getSpec().getInitContainers());
      }
      target = all.stream().filter(c -> name.equals(c.getName())).findFirst().orElse(null);
      if (target == null) {
        throw new PodConfigException(
            CONFIG_ERROR,
            "failed to find container \""
                + name
                + "\" in pod \""
                + pod.getMetadata().getName()
                + "\"");
      }
    }
    try {
      return DownwardApi.resourceField(selector, target, allocatable);
    } catch (IllegalArgumentException e) {
      throw new PodConfigException(CONFIG_ERROR, e.getMessage());
    }
  }

  private Map<String, String> serviceEnvironment(String namespace, boolean serviceLinks)
      throws PodConfigException {
    try {
      List<Service> namespaceServices =
          serviceLinks ? client.services().inNamespace(namespace).list().getItems() : List.of();
      Service master =
          client
              .services()
              .inNamespace(ServiceEnvironment.MASTER_NAMESPACE)
              .withName(ServiceEnvironment.MASTER_SERVICE)
              .get();
      return ServiceEnvironment.forPod(
          namespace, serviceLinks, namespaceServices, master == null ? List.of() : List.of(master));
    } catch (KubernetesClientException e) {
      throw new PodConfigException(CONFIG_ERROR, "failed to list services: " + message(e), e);
    }
  }

  private ConfigMap configMap(
      Map<String, ConfigMap> cache, String namespace, String name, boolean optional)
      throws PodConfigException {
    if (cache.containsKey(name)) {
      return cache.get(name);
    }
    ConfigMap configMap;
    try {
      configMap = client.configMaps().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new PodConfigException(CONFIG_ERROR, message(e), e);
    }
    if (configMap == null) {
      if (optional) {
        return null;
      }
      throw new PodConfigException(CONFIG_ERROR, "configmap \"" + name + "\" not found");
    }
    cache.put(name, configMap);
    return configMap;
  }

  private Map<String, byte[]> secret(
      Map<String, Map<String, byte[]>> cache, String namespace, String name, boolean optional)
      throws PodConfigException {
    if (cache.containsKey(name)) {
      return cache.get(name);
    }
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new PodConfigException(CONFIG_ERROR, message(e), e);
    }
    if (secret == null) {
      if (optional) {
        return null;
      }
      throw new PodConfigException(CONFIG_ERROR, "secret \"" + name + "\" not found");
    }
    Map<String, byte[]> data = PodVolumes.secretData(secret);
    cache.put(name, data);
    return data;
  }

  private static void putValid(
      Map<String, String> env, String name, String value, List<String> invalid) {
    if (ENV_NAME.matcher(name).matches()) {
      env.put(name, value);
    } else {
      invalid.add(name);
    }
  }

  private static void logInvalid(List<String> invalid, String kind, String namespace, String name) {
    if (!invalid.isEmpty()) {
      log.info(
          "envFrom keys skipped as invalid variable names keys={} {}={}/{}",
          invalid,
          kind,
          namespace,
          name);
    }
  }

  private static String message(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : String.valueOf(e.getMessage());
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
