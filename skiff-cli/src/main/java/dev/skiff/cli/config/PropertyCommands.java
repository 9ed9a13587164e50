package dev.skiff.cli.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code set PROPERTY VALUE} and {@code unset PROPERTY}: one value addressed by a dotted path such
 * as {@code clusters.NAME.server}, where a map key may itself contain dots (it runs up to the next
 * known field name), as kubectl reads it.
 */
final class PropertyCommands {
  private PropertyCommands() {}

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Set an individual value in a kubeconfig file.",
        "PROPERTY_NAME is dot delimited (clusters.NAME.server, contexts.NAME.namespace,"
            + " current-context); binary fields take base64 unless --set-raw-bytes."
      })
  static final class Set extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "PROPERTY_NAME PROPERTY_VALUE")
    List<String> args = new ArrayList<>();

    @Option(
        names = "--set-raw-bytes",
        arity = "0..1",
        fallbackValue = "true",
        paramLabel = "BOOL",
        description = "Write a []byte value as given, without base64 decoding.")
    String setRawBytes;

    @Override
    void run() {
      boolean rawBytes = EntryCommands.goBool(setRawBytes, "--set-raw-bytes");
      if (args.size() != 2) {
        throw new UsageException("Unexpected args: " + goList(args));
      }
      String property = args.get(0);
      String value = args.get(1);
      if (value.isEmpty()) {
        throw new ConfigException("you cannot use set to unset a property");
      }
      if (property.isEmpty()) {
        throw new ConfigException("you must specify a property");
      }
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      modify(config, steps(property), value, false, rawBytes);
      access.modify(config, false);
      out.println("Property " + quote(property) + " set.");
    }
  }

  @Command(
      name = "unset",
      mixinStandardHelpOptions = true,
      description = {
        "Unset an individual value in a kubeconfig file.",
        "PROPERTY_NAME is dot delimited, e.g. current-context or contexts.NAME.namespace."
      })
  static final class Unset extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "PROPERTY_NAME")
    List<String> args = new ArrayList<>();

    @Override
    void run() {
      if (args.size() != 1) {
        throw new UsageException("Unexpected args: " + goList(args));
      }
      String property = args.get(0);
      if (property.isEmpty()) {
        throw new ConfigException("you must specify a property");
      }
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      modify(config, steps(property), "", true, true);
      access.modify(config, false);
      out.println("Property " + quote(property) + " unset.");
    }
  }

  /** One step of a property path and the Go type kubectl names it by. */
  record Step(String value, String goType) {
    @Override
    public String toString() {
      return "{" + value + " " + goType + "}";
    }
  }

  private static final Map<String, String> CONFIG_FIELDS = new LinkedHashMap<>();
  private static final Map<String, String> PREFERENCE_FIELDS = new LinkedHashMap<>();
  private static final Map<String, String> ENTRY_MAPS = new LinkedHashMap<>();

  static {
    CONFIG_FIELDS.put("kind", "string");
    CONFIG_FIELDS.put("apiVersion", "string");
    CONFIG_FIELDS.put("preferences", "api.Preferences");
    CONFIG_FIELDS.put("clusters", "map[string]*api.Cluster");
    CONFIG_FIELDS.put("users", "map[string]*api.AuthInfo");
    CONFIG_FIELDS.put("contexts", "map[string]*api.Context");
    CONFIG_FIELDS.put("current-context", "string");
    CONFIG_FIELDS.put("extensions", "map[string]runtime.Object");
    PREFERENCE_FIELDS.put("colors", "bool");
    PREFERENCE_FIELDS.put("extensions", "map[string]runtime.Object");
    ENTRY_MAPS.put("clusters", "api.Cluster");
    ENTRY_MAPS.put("users", "api.AuthInfo");
    ENTRY_MAPS.put("contexts", "api.Context");
  }

  private static KubeconfigSchema.Struct entryStruct(String map) {
    return switch (map) {
      case "clusters" -> KubeconfigSchema.CLUSTER;
      case "users" -> KubeconfigSchema.USER;
      default -> KubeconfigSchema.CONTEXT;
    };
  }

  /**
   * The field a property path names. Paths use the names of kubectl's in-memory types, where the
   * impersonation fields of a user are act-as, act-as-uid, act-as-groups and act-as-user-extra (as,
   * as-uid ... in files).
   */
  private static KubeconfigSchema.Field field(KubeconfigSchema.Struct struct, String name) {
    if (struct == KubeconfigSchema.USER) {
      if (name.startsWith("as")) {
        return null;
      }
      if (name.startsWith("act-as")) {
        return struct.field(name.substring(4));
      }
    }
    return struct.field(name);
  }

  private static String goType(KubeconfigSchema.Type type) {
    return switch (type) {
      case STRING -> "string";
      case BOOL -> "bool";
      case BYTES -> "[]uint8";
      case STRINGS -> "[]string";
      case STRINGS_MAP -> "map[string][]string";
      case STRING_MAP -> "map[string]string";
      case EXTENSIONS -> "map[string]runtime.Object";
      case ENV -> "[]api.ExecEnvVar";
      case AUTH_PROVIDER -> "*api.AuthProviderConfig";
      case EXEC -> "*api.ExecConfig";
    };
  }

  /** Splits a property path into steps, joining map keys that contain dots. */
  static List<Step> steps(String path) {
    String[] parts = path.split("\\.", -1);
    List<Step> steps = new ArrayList<>();
    int index = 0;
    String type = "api.Config";
    while (index < parts.length) {
      String part = parts[index];
      switch (type) {
        case "api.Config", "api.Preferences" -> {
          Map<String, String> fields =
              type.equals("api.Config") ? CONFIG_FIELDS : PREFERENCE_FIELDS;
          String fieldType = fields.get(part);
          if (fieldType == null) {
            throw new ConfigException(
                "unable to parse " + path + " after " + steps + " at " + type);
          }
          steps.add(new Step(part, fieldType));
          index++;
          type = fieldType;
        }
        case "map[string]*api.Cluster", "map[string]*api.AuthInfo", "map[string]*api.Context" -> {
          String map = steps.get(steps.size() - 1).value();
          KubeconfigSchema.Struct struct = entryStruct(map);
          int known = -1;
          for (int i = index + 1; i < parts.length; i++) {
            if (field(struct, parts[i]) != null) {
              known = i;
              break;
            }
          }
          int end = known < 0 ? parts.length : known;
          String name = String.join(".", List.of(parts).subList(index, end));
          steps.add(new Step(name, ENTRY_MAPS.get(map)));
          index = end;
          type = "entry:" + map;
        }
        default -> {
          if (type.startsWith("entry:")) {
            KubeconfigSchema.Field field = field(entryStruct(type.substring(6)), part);
            steps.add(new Step(part, goType(field.type())));
            index++;
            type = goType(field.type());
          } else {
            throw new ConfigException("unable to parse one or more field values of " + path);
          }
        }
      }
    }
    return steps;
  }

  static void modify(
      Kubeconfig config, List<Step> steps, String value, boolean unset, boolean rawBytes) {
    String first = steps.get(0).value();
    switch (first) {
      case "kind", "apiVersion" -> {}
      case "current-context" -> config.currentContext = unset ? "" : value;
      case "preferences" -> {
        ObjectNode preferences = config.preferences.deepCopy();
        if (steps.size() == 1) {
          if (!unset) {
            throw new ConfigException("unable to locate path \"\" under " + goValue(preferences));
          }
          preferences.removeAll();
        } else if (steps.get(1).value().equals("colors")) {
          preferences.put("colors", !unset && toBool(value));
        } else if (unset) {
          preferences.remove("extensions");
        } else {
          throw new ConfigException("can't set a map to a value: map[]");
        }
        config.preferences =
            KubeconfigSchema.normalize(preferences, KubeconfigSchema.PREFERENCES, "preferences");
      }
      case "extensions" -> {
        if (steps.size() == 1 && unset) {
          config.extensions.clear();
        } else {
          throw new ConfigException("can't set a map to a value: map[]");
        }
      }
      default -> modifyEntry(config, first, steps, value, unset, rawBytes);
    }
  }

  private static void modifyEntry(
      Kubeconfig config,
      String map,
      List<Step> steps,
      String value,
      boolean unset,
      boolean rawBytes) {
    Map<String, Kubeconfig.Entry> entries =
        switch (map) {
          case "clusters" -> config.clusters;
          case "users" -> config.users;
          default -> config.contexts;
        };
    if (steps.size() == 1) {
      if (!unset) {
        throw new ConfigException("can't set a map to a value: " + goMap(entries));
      }
      entries.clear();
      return;
    }
    String name = steps.get(1).value();
    if (steps.size() == 2) {
      if (!unset) {
        throw new ConfigException("can't set a map to a value: " + goMap(entries));
      }
      entries.remove(name);
      return;
    }
    KubeconfigSchema.Struct struct = entryStruct(map);
    Kubeconfig.Entry entry = entries.get(name);
    if (entry == null) {
      if (unset) {
        throw new ConfigException("current map key `" + name + "` is invalid");
      }
      entry = new Kubeconfig.Entry(KubeconfigSchema.normalize(null, struct, ""), null);
    }
    KubeconfigSchema.Field field = field(struct, steps.get(2).value());
    String fieldName = field.name();
    ObjectNode node = entry.value().deepCopy();
    if (unset) {
      node.remove(fieldName);
    } else {
      switch (field.type()) {
        case STRING -> node.put(fieldName, value);
        case BOOL -> node.put(fieldName, toBool(value));
        case BYTES -> {
          byte[] bytes;
          if (rawBytes) {
            bytes = value.getBytes(StandardCharsets.UTF_8);
          } else {
            try {
              bytes = KubeconfigSchema.decodeBase64(value);
            } catch (ConfigException e) {
              throw new ConfigException("error decoding input value: " + e.getMessage());
            }
          }
          node.put(fieldName, Base64.getEncoder().encodeToString(bytes));
        }
        case STRINGS -> throw new ConfigException("unrecognized slice type. string");
        default -> throw new ConfigException("can't set a map to a value: map[]");
      }
    }
    entries.put(name, entry.withValue(KubeconfigSchema.normalize(node, struct, "")));
  }

  /** Go's strconv.ParseBool as kubectl's set uses it. */
  private static boolean toBool(String value) {
    return switch (value) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default ->
          throw new ConfigException(
              "strconv.ParseBool: parsing " + GoSyntax.quote(value) + ": invalid syntax");
    };
  }

  private static String goMap(Map<String, Kubeconfig.Entry> entries) {
    return entries.keySet().stream()
        .map(name -> name + ":" + "0x" + Integer.toHexString(name.hashCode()))
        .collect(Collectors.joining(" ", "map[", "]"));
  }

  private static String goValue(ObjectNode preferences) {
    return "{" + preferences.path("colors").asBoolean(false) + " map[]}";
  }
}
