package dev.skiff.apiserver.registry.core;

import dev.skiff.api.validation.FieldError;
import dev.skiff.api.validation.NameValidation;
import dev.skiff.apiserver.registry.Meta;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Defaulting and validation of a PodSpec, shared by pods and every pod template. */
public final class PodTemplates {
  private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
  private static final List<String> DNS_POLICIES =
      List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");

  private PodTemplates() {}

  /** Kubernetes' SetDefaults for a PodSpec and its containers. */
  public static void defaultSpec(ObjectNode spec) {
    Meta.defaultText(spec, "restartPolicy", "Always");
    Meta.defaultText(spec, "dnsPolicy", "ClusterFirst");
    Meta.defaultText(spec, "schedulerName", "default-scheduler");
    Meta.defaultInt(spec, "terminationGracePeriodSeconds", 30);
    Meta.child(spec, "securityContext");
    Meta.defaultBool(spec, "enableServiceLinks", true);
    for (String list : List.of("containers", "initContainers")) {
      for (JsonNode c : spec.path(list)) {
        if (c instanceof ObjectNode container) {
          defaultContainer(container);
        }
      }
    }
  }

  private static void defaultContainer(ObjectNode container) {
    String image = Meta.text(container, "image");
    Meta.defaultText(container, "imagePullPolicy", pullPolicy(image));
    Meta.defaultText(container, "terminationMessagePath", "/dev/termination-log");
    Meta.defaultText(container, "terminationMessagePolicy", "File");
    Meta.child(container, "resources");
    for (JsonNode p : container.path("ports")) {
      if (p instanceof ObjectNode port) {
        Meta.defaultText(port, "protocol", "TCP");
      }
    }
  }

  /** Always for ":latest" or untagged images, IfNotPresent otherwise (digests count as tags). */
  static String pullPolicy(String image) {
    if (image.contains("@")) {
      return "IfNotPresent";
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon <= slash) {
      return "Always";
    }
    return image.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
  }

  /** Errors of a PodSpec at {@code path} (e.g. "spec" or "spec.template.spec"). */
  public static List<FieldError> validateSpec(JsonNode spec, String path) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode containers = spec.path("containers");
    if (!containers.isArray() || containers.isEmpty()) {
      errors.add(FieldError.required(path + ".containers", ""));
    }
    Set<String> names = new HashSet<>();
    for (String list : List.of("initContainers", "containers")) {
      int i = 0;
      for (JsonNode container : spec.path(list)) {
        String at = path + "." + list + "[" + i++ + "]";
        String name = Meta.text(container, "name");
        if (name.isEmpty()) {
          errors.add(FieldError.required(at + ".name", ""));
        } else {
          for (String problem : NameValidation.isDns1123Label(name)) {
            errors.add(FieldError.invalid(at + ".name", name, problem));
          }
          if (!names.add(name)) {
            errors.add(FieldError.duplicate(at + ".name", name));
          }
        }
        if (Meta.text(container, "image").isBlank()) {
          errors.add(FieldError.required(at + ".image", ""));
        }
        int j = 0;
        for (JsonNode port : container.path("ports")) {
          long number = port.path("containerPort").asLong(0);
          if (number < 1 || number > 65535) {
            errors.add(
                FieldError.invalid(
                    at + ".ports[" + j + "].containerPort",
                    number,
                    "must be between 1 and 65535, inclusive"));
          }
          j++;
        }
      }
    }
    String restart = Meta.text(spec, "restartPolicy");
    if (!RESTART_POLICIES.contains(restart)) {
      errors.add(FieldError.notSupported(path + ".restartPolicy", restart, RESTART_POLICIES));
    }
    String dns = Meta.text(spec, "dnsPolicy");
    if (!DNS_POLICIES.contains(dns)) {
      errors.add(FieldError.notSupported(path + ".dnsPolicy", dns, DNS_POLICIES));
    }
    return errors;
  }

  /** Defaults of a PodTemplateSpec at {@code template}. */
  public static void defaultTemplate(ObjectNode template) {
    defaultSpec(Meta.child(template, "spec"));
  }
}
