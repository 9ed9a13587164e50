package dev.skiff.apiserver.server;

import dev.skiff.api.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/** What GET /version answers (Kubernetes' version.Info). */
public record VersionInfo(
    String major,
    String minor,
    String gitVersion,
    String gitCommit,
    String gitTreeState,
    String buildDate,
    String goVersion,
    String compiler,
    String platform) {

  public static final String GIT_VERSION = "v1.32.0-skiff.1";

  /** This build: Kubernetes 1.32 compatible, built when this code was packaged. */
  public static VersionInfo current() {
    return new VersionInfo(
        "1",
        "32",
        GIT_VERSION,
        "unknown",
        "clean",
        currentBuildDate().toString(),
        "java" + Runtime.version().feature(),
        "javac",
        currentPlatform());
  }

  ObjectNode toJson() {
    ObjectNode json = Json.object();
    json.put("major", major);
    json.put("minor", minor);
    json.put("gitVersion", gitVersion);
    json.put("gitCommit", gitCommit);
    json.put("gitTreeState", gitTreeState);
    json.put("buildDate", buildDate);
    json.put("goVersion", goVersion);
    json.put("compiler", compiler);
    json.put("platform", platform);
    return json;
  }

  /** The time the code was packaged: the modification time of its jar or classes folder. */
  private static Instant currentBuildDate() {
    try {
      Path location =
          Path.of(VersionInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.getLastModifiedTime(location).toInstant().truncatedTo(ChronoUnit.SECONDS);
    } catch (Exception e) {
      return Instant.EPOCH;
    }
  }

  private static String currentPlatform() {
    String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
    String arch =
        switch (System.getProperty("os.arch", "amd64")) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          default -> System.getProperty("os.arch");
        };
    return (os.startsWith("linux") ? "linux" : os) + "/" + arch;
  }
}
