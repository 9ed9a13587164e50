package dev.skiff.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.scheduler.framework.ExtensionPoint;
import dev.skiff.scheduler.framework.InvalidConfigException;
import dev.skiff.scheduler.framework.PluginRef;
import dev.skiff.scheduler.framework.ProfileConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchedulerConfigurationTest {
  static final String HEADER =
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";

  @Test
  void defaultsMatchKubernetes() {
    SchedulerConfiguration c = SchedulerConfiguration.defaults();
    assertThat(c.profiles()).hasSize(1);
    ProfileConfig p = c.profiles().get(0);
    assertThat(p.schedulerName()).isEqualTo("default-scheduler");
    assertThat(p.enabled(ExtensionPoint.QUEUE_SORT))
        .extracting(PluginRef::name)
        .containsExactly("PrioritySort");
    assertThat(p.enabled(ExtensionPoint.FILTER))
        .extracting(PluginRef::name)
        .containsExactly(
            "NodeUnschedulable",
            "NodeName",
            "TaintToleration",
            "NodeAffinity",
            "NodePorts",
            "NodeResourcesFit",
            "VolumeRestrictions",
            "VolumeBinding",
            "PodTopologySpread",
            "InterPodAffinity");
    assertThat(p.enabled(ExtensionPoint.SCORE))
        .containsExactly(
            new PluginRef("TaintToleration", 3),
            new PluginRef("NodeAffinity", 2),
            new PluginRef("NodeResourcesFit", 1),
            new PluginRef("PodTopologySpread", 2),
            new PluginRef("InterPodAffinity", 2),
            new PluginRef("NodeResourcesBalancedAllocation", 1),
            new PluginRef("ImageLocality", 1));
    assertThat(p.enabled(ExtensionPoint.POST_FILTER))
        .extracting(PluginRef::name)
        .containsExactly("DefaultPreemption");
    assertThat(p.enabled(ExtensionPoint.BIND))
        .extracting(PluginRef::name)
        .containsExactly("DefaultBinder");
    assertThat(p.enabled(ExtensionPoint.PRE_ENQUEUE))
        .extracting(PluginRef::name)
        .containsExactly("SchedulingGates");
    assertThat(c.podInitialBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.podMaxBackoff()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.leaderElection().resourceName()).isEqualTo("kube-scheduler");
    assertThat(c.leaderElection().resourceNamespace()).isEqualTo("kube-system");
  }

  @Test
  void profilesDisableReweightAndConfigurePlugins(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        HEADER
            + """
            percentageOfNodesToScore: 30
            leaderElection:
              leaderElect: false
              leaseDuration: 30s
            profiles:
            - schedulerName: default-scheduler
            - schedulerName: no-scoring
              plugins:
                score:
                  disabled:
                  - name: '*'
                  enabled:
                  - name: NodeResourcesFit
                    weight: 5
                filter:
                  disabled:
                  - name: TaintToleration
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  scoringStrategy:
                    type: MostAllocated
            """);
    SchedulerConfiguration c = SchedulerConfiguration.load(file);
    assertThat(c.percentageOfNodesToScore()).isEqualTo(30);
    assertThat(c.leaderElection().leaderElect()).isFalse();
    assertThat(c.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    ProfileConfig p = c.profiles().get(1);
    assertThat(p.enabled(ExtensionPoint.SCORE))
        .containsExactly(new PluginRef("NodeResourcesFit", 5));
    assertThat(p.enabled(ExtensionPoint.FILTER))
        .extracting(PluginRef::name)
        .doesNotContain("TaintToleration");
    assertThat(
            p.pluginArgs().get("NodeResourcesFit").path("scoringStrategy").path("type").asString())
        .isEqualTo("MostAllocated");
    assertThat(c.withLeaderElect(true).leaderElection().leaderElect()).isTrue();
  }

  record Invalid(String name, String yaml, String message) {}

  static Stream<Invalid> invalid() {
    return Stream.of(
        new Invalid(
            "wrong apiVersion",
            "apiVersion: v1\nkind: KubeSchedulerConfiguration\n",
            "apiVersion: Unsupported value: \"v1\": supported values: \"kubescheduler.config.k8s.io/v1\""),
        new Invalid(
            "unknown field",
            HEADER + "percentOfNodes: 3\n",
            "percentOfNodes: unknown field \"percentOfNodes\""),
        new Invalid(
            "percentage out of range",
            HEADER + "percentageOfNodesToScore: 120\n",
            "percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]"),
        new Invalid(
            "profile without a name",
            HEADER + "profiles:\n- schedulerName: a\n- plugins: {}\n",
            "profiles[1].schedulerName: Required value"),
        new Invalid(
            "duplicate profile",
            HEADER + "profiles:\n- schedulerName: a\n- schedulerName: a\n",
            "profiles[1].schedulerName: Duplicate value: \"a\""),
        new Invalid(
            "unknown plugin",
            HEADER + "profiles:\n- plugins:\n    score:\n      enabled:\n      - name: Magic\n",
            "profiles[0].plugins.score.enabled[0].name: Invalid value: \"Magic\": unknown plugin"),
        new Invalid(
            "plugin at the wrong point",
            HEADER + "profiles:\n- plugins:\n    score:\n      enabled:\n      - name: NodeName\n",
            "profiles[0].plugins.score.enabled[0].name: Invalid value: \"NodeName\": plugin does not extend score"),
        new Invalid(
            "bad scoring strategy",
            HEADER
                + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: Fastest\n",
            "profiles[0].pluginConfig[0].args.scoringStrategy.type: Unsupported value: \"Fastest\": supported values: \"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\""),
        new Invalid(
            "shape required",
            HEADER
                + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: RequestedToCapacityRatio\n",
            "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified"),
        new Invalid(
            "hard affinity weight",
            HEADER
                + "profiles:\n- pluginConfig:\n  - name: InterPodAffinity\n    args:\n      hardPodAffinityWeight: 500\n",
            "profiles[0].pluginConfig[0].args.hardPodAffinityWeight: Invalid value: 500: must be an integer in [0, 100]"),
        new Invalid(
            "different queue sorts",
            HEADER
                + "profiles:\n- schedulerName: a\n- schedulerName: b\n  plugins:\n    queueSort:\n      disabled:\n      - name: '*'\n",
            "profiles[1].plugins.queueSort: Invalid value: queueSort must be the same for all profiles"),
        new Invalid(
            "bad duration",
            HEADER + "leaderElection:\n  leaseDuration: soon\n",
            "leaderElection.leaseDuration: Invalid value: \"soon\": must be a positive duration such as 15s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidConfigurationsNameTheField(Invalid c) {
    assertThatThrownBy(() -> SchedulerConfiguration.parse(c.yaml()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(c.message());
  }
}
