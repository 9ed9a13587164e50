package dev.skiff.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Kubeconfigs#currentContext}: the merged current context, as kubectl reads it. */
class KubeconfigsTest {
  @TempDir Path dir;

  @Test
  void currentContextOfAKubeconfigListIsWhatKubectlMinifiesAndFlattens() throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"),
        """
        clusters:
        - name: shared
          cluster:
            server: https://a-shared
            certificate-authority: ca.crt
        users:
        - name: u
          user:
            token: tok-a
        """);
    Files.writeString(dir.resolve("ca.crt"), "CA\n");
    Files.writeString(
        dir.resolve("b.yaml"),
        """
        clusters:
        - name: shared
          cluster:
            server: https://b-shared
        contexts:
        - name: ctx
          context:
            cluster: shared
            user: u
            namespace: team
        current-context: ctx
        """);
    String list = dir.resolve("a.yaml") + ":" + dir.resolve("b.yaml");

    String merged = Kubeconfigs.currentContext(null, Map.of("KUBECONFIG", list));

    ProcessBuilder kubectl =
        new ProcessBuilder("kubectl", "config", "view", "--minify", "--flatten", "--raw");
    kubectl.environment().put("KUBECONFIG", list);
    Process process = kubectl.redirectErrorStream(true).start();
    String expected = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(merged)
        .isEqualTo(expected)
        .contains("server: https://a-shared", "token: tok-a", "namespace: team");
  }

  @Test
  void noCurrentContextIsAnError() throws Exception {
    Files.writeString(dir.resolve("empty.yaml"), "clusters: []\n");
    assertThatThrownBy(
            () -> Kubeconfigs.currentContext(dir.resolve("empty.yaml").toString(), Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("current-context must exist in order to minify");
  }
}
