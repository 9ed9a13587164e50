package dev.skiff.cli.config;

import dev.skiff.apiserver.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which kubeconfig files {@code skiff config} reads and writes, with kubectl's rules: {@code
 * --kubeconfig FILE} alone if given, else the {@code KUBECONFIG} list merged (the first file to
 * define a cluster, user or context wins; the first non-empty current-context wins), else {@code
 * ~/.kube/config}. A changed entry is written back to the file that defined it; a new entry, the
 * current context and preferences go to the first existing file of the list (the last one if none
 * exists).
 */
final class ConfigAccess {
  private final String explicitFile;
  private final Map<String, String> environment;

  ConfigAccess(String explicitFile, Map<String, String> environment) {
    this.explicitFile = explicitFile == null ? "" : explicitFile;
    this.environment = environment;
  }

  boolean isExplicitFile() {
    return !explicitFile.isEmpty();
  }

  String explicitFile() {
    return explicitFile;
  }

  List<String> envVarFiles() {
    String value = environment.getOrDefault("KUBECONFIG", "");
    if (value.isEmpty()) {
      return List.of();
    }
    return List.copyOf(new LinkedHashSet<>(List.of(value.split(":", -1))));
  }

  String globalFile() {
    String home = environment.get("HOME");
    if (home == null || home.isEmpty()) {
      home = System.getProperty("user.home");
    }
    return Path.of(home, ".kube", "config").toString();
  }

  List<String> loadingPrecedence() {
    if (isExplicitFile()) {
      return List.of(explicitFile);
    }
    List<String> env = envVarFiles();
    return env.isEmpty() ? List.of(globalFile()) : env;
  }

  /** The file new entries are written to. */
  String defaultFilename() {
    if (isExplicitFile()) {
      return explicitFile;
    }
    List<String> env = envVarFiles();
    if (env.isEmpty()) {
      return globalFile();
    }
    if (env.size() == 1) {
      return env.get(0);
    }
    for (String file : env) {
      if (!file.isEmpty() && Files.exists(Path.of(file))) {
        return file;
      }
    }
    return env.get(env.size() - 1);
  }

  /** The merged configuration of every file that exists (an empty one if none does). */
  Kubeconfig startingConfig() {
    List<Kubeconfig> loaded = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String file : loadingPrecedence()) {
      if (file.isEmpty() || !Files.exists(Path.of(file))) {
        continue;
      }
      try {
        loaded.add(load(file));
      } catch (ConfigException e) {
        errors.add("error loading config file \"" + file + "\": " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw ConfigException.of(errors);
    }
    Kubeconfig merged = new Kubeconfig();
    boolean colors = false;
    Map<String, ObjectNode> preferenceExtensions = new LinkedHashMap<>();
    for (Kubeconfig config : loaded) {
      config.clusters.forEach(merged.clusters::putIfAbsent);
      config.users.forEach(merged.users::putIfAbsent);
      config.contexts.forEach(merged.contexts::putIfAbsent);
      if (merged.currentContext.isEmpty()) {
        merged.currentContext = config.currentContext;
      }
      colors |= config.preferences.path("colors").asBoolean(false);
      for (var extension : config.preferences.path("extensions")) {
        preferenceExtensions.putIfAbsent(
            extension.path("name").asString(""), (ObjectNode) extension);
      }
      config.extensions.forEach(merged.extensions::putIfAbsent);
    }
    ObjectNode preferences = merged.preferences;
    if (colors) {
      preferences.put("colors", true);
    }
    if (!preferenceExtensions.isEmpty()) {
      preferences.putArray("extensions").addAll(preferenceExtensions.values());
    }
    merged.preferences =
        KubeconfigSchema.normalize(preferences, KubeconfigSchema.PREFERENCES, "preferences");
    return merged;
  }

  /** One file (entries remember it as their origin); a missing file is an empty config. */
  static Kubeconfig load(String file) {
    if (file.isEmpty() || !Files.exists(Path.of(file))) {
      return new Kubeconfig();
    }
    Path path = Path.of(file);
    if (Files.isDirectory(path)) {
      throw new ConfigException("read " + file + ": is a directory");
    }
    try {
      return Kubeconfig.parse(Files.readString(path, StandardCharsets.UTF_8), file);
    } catch (IOException e) {
      throw new ConfigException("open " + file + ": " + e.getMessage());
    }
  }

  static void write(Kubeconfig config, String file) {
    Path path = Path.of(file).toAbsolutePath();
    String permissions = "rw-------";
    try {
      if (Files.exists(path)) {
        path = path.toRealPath();
        permissions = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
      }
    } catch (IOException e) {
      throw new ConfigException("open " + file + ": " + e.getMessage());
    }
    Pem.writeAtomically(path, config.toYaml(), permissions);
  }

  /**
   * Writes the differences between the files' current merged state and {@code changed}: kubectl's
   * ModifyConfig, under the same {@code FILE.lock} files kubectl takes.
   */
  void modify(Kubeconfig changed, boolean relativizePaths) {
    List<String> locked = new ArrayList<>();
    try {
      for (String file : loadingPrecedence().stream().sorted().toList()) {
        lock(file);
        locked.add(file);
      }
      writeDifferences(changed, relativizePaths);
    } finally {
      for (String file : locked) {
        try {
          Files.deleteIfExists(Path.of(file + ".lock"));
        } catch (IOException e) {
          // a stale lock file is reported by the next writer, as kubectl does
        }
      }
    }
  }

  private static void lock(String file) {
    Path lock = Path.of(file + ".lock");
    try {
      Path dir = lock.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Files.createFile(lock);
    } catch (FileAlreadyExistsException e) {
      throw new ConfigException("open " + lock + ": file exists");
    } catch (IOException e) {
      throw new ConfigException("open " + lock + ": " + e.getMessage());
    }
  }

  private void writeDifferences(Kubeconfig changed, boolean relativizePaths) {
    Kubeconfig starting = startingConfig();
    if (!starting.currentContext.equals(changed.currentContext)) {
      writeCurrentContext(changed.currentContext);
    }
    if (!starting.preferences.equals(changed.preferences)) {
      writePreferences(changed.preferences);
    }
    writeEntries(
        starting.clusters, changed.clusters, c -> c.clusters, relativizePaths, this::clusterPaths);
    writeEntries(starting.contexts, changed.contexts, c -> c.contexts, false, null);
    writeEntries(starting.users, changed.users, c -> c.users, relativizePaths, this::userPaths);
    deleteEntries(starting.clusters, changed.clusters, c -> c.clusters);
    deleteEntries(starting.contexts, changed.contexts, c -> c.contexts);
    deleteEntries(starting.users, changed.users, c -> c.users);
  }

  private void writeEntries(
      Map<String, Kubeconfig.Entry> starting,
      Map<String, Kubeconfig.Entry> changed,
      Function<Kubeconfig, Map<String, Kubeconfig.Entry>> section,
      boolean relativizePaths,
      PathRelativizer relativizer) {
    Map<String, Kubeconfig> byFile = new LinkedHashMap<>();
    changed.forEach(
        (name, entry) -> {
          Kubeconfig.Entry before = starting.get(name);
          if (before != null && before.value().equals(entry.value())) {
            return;
          }
          String destination = entry.origin() != null ? entry.origin() : defaultFilename();
          Kubeconfig file = byFile.computeIfAbsent(destination, ConfigAccess::load);
          ObjectNode value = entry.value();
          if (relativizePaths) {
            value = relativizer.relativize(value.deepCopy(), destination);
          }
          section.apply(file).put(name, new Kubeconfig.Entry(value, destination));
        });
    byFile.forEach((file, config) -> write(config, file));
  }

  private void deleteEntries(
      Map<String, Kubeconfig.Entry> starting,
      Map<String, Kubeconfig.Entry> changed,
      Function<Kubeconfig, Map<String, Kubeconfig.Entry>> section) {
    starting.forEach(
        (name, entry) -> {
          if (changed.containsKey(name)) {
            return;
          }
          String destination = entry.origin() != null ? entry.origin() : defaultFilename();
          Kubeconfig file = load(destination);
          section.apply(file).remove(name);
          write(file, destination);
        });
  }

  private void writeCurrentContext(String context) {
    if (isExplicitFile()) {
      Kubeconfig file = load(explicitFile);
      file.currentContext = context;
      write(file, explicitFile);
      return;
    }
    if (!context.isEmpty()) {
      String destination = defaultFilename();
      Kubeconfig file = load(destination);
      file.currentContext = context;
      write(file, destination);
      return;
    }
    for (String name : loadingPrecedence()) {
      if (!name.isEmpty() && Files.exists(Path.of(name))) {
        Kubeconfig file = load(name);
        if (!file.currentContext.isEmpty()) {
          file.currentContext = context;
          write(file, name);
          return;
        }
      }
    }
    throw new ConfigException("no config found to write context");
  }

  private void writePreferences(ObjectNode preferences) {
    if (isExplicitFile()) {
      Kubeconfig file = load(explicitFile);
      file.preferences = preferences;
      write(file, explicitFile);
      return;
    }
    for (String name : loadingPrecedence()) {
      Kubeconfig file = load(name);
      if (!file.preferences.equals(preferences)) {
        file.preferences = preferences;
        write(file, name);
        return;
      }
    }
    throw new ConfigException("no config found to write preferences");
  }

  private interface PathRelativizer {
    ObjectNode relativize(ObjectNode value, String destination);
  }

  private ObjectNode clusterPaths(ObjectNode cluster, String destination) {
    Path base = Path.of(destination).toAbsolutePath().getParent();
    relativizeField(cluster, "certificate-authority", base);
    return cluster;
  }

  private ObjectNode userPaths(ObjectNode user, String destination) {
    Path base = Path.of(destination).toAbsolutePath().getParent();
    relativizeField(user, "client-certificate", base);
    relativizeField(user, "client-key", base);
    relativizeField(user, "tokenFile", base);
    if (user.get("exec") instanceof ObjectNode exec
        && exec.path("command").asString("").contains("/")) {
      relativizeField(exec, "command", base);
    }
    return user;
  }

  /** Resolves a path against the file's folder, then makes it relative unless that needs "../". */
  private static void relativizeField(ObjectNode node, String field, Path base) {
    String value = node.path(field).asString("");
    if (value.isEmpty()) {
      return;
    }
    String resolved =
        Path.of(value).isAbsolute() ? value : base.resolve(value).normalize().toString();
    String relative = base.normalize().relativize(Path.of(resolved).normalize()).toString();
    if (relative.isEmpty()) {
      relative = ".";
    }
    node.put(field, relative.startsWith("../") ? resolved : relative);
  }
}
