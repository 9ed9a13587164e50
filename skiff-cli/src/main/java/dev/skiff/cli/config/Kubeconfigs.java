package dev.skiff.cli.config;

import java.util.Map;

/** Kubeconfig reading for other skiff commands, with kubectl's loading and merge rules. */
public final class Kubeconfigs {
  private Kubeconfigs() {}

  /**
   * The current context with its cluster and user as one self-contained kubeconfig (what {@code
   * kubectl config view --minify --flatten --raw} prints), read from {@code explicitFile} if not
   * null, else from the {@code KUBECONFIG} list of {@code environment} merged, else from
   * ~/.kube/config.
   *
   * @throws IllegalStateException with kubectl's message if the files cannot be read or have no
   *     usable current context
   */
  public static String currentContext(String explicitFile, Map<String, String> environment) {
    try {
      Kubeconfig config = new ConfigAccess(explicitFile, environment).startingConfig();
      ViewCommand.minify(config);
      ViewCommand.flatten(config);
      return config.toYaml();
    } catch (ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
