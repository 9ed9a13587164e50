package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** ServiceAccount and DefaultTolerationSeconds through the admission chain. */
class ServiceAccountAdmissionTest {
  private static final ResourceType PODS =
      new ResourceType(
          "",
          "v1",
          "Pod",
          "pods",
          "pod",
          true,
          List.of("po"),
          List.of("all"),
          List.of("create", "get"),
          List.of("status", "ephemeralcontainers"),
          "v1");

  private static final String MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

  private final Map<String, ObjectNode> accounts = new HashMap<>();
  private final List<String> lookups = new ArrayList<>();
  private final List<Duration> sleeps = new ArrayList<>();
  private final AdmissionChain chain =
      new AdmissionChain(
          List.of(
              new ServiceAccountAdmission(
                  (namespace, name) -> {
                    lookups.add(namespace + "/" + name);
                    return Optional.ofNullable(accounts.get(namespace + "/" + name));
                  },
                  new SplittableRandom(7),
                  sleeps::add),
              new DefaultTolerationSeconds()));

  private void account(String namespace, String json) {
    ObjectNode account = (ObjectNode) Json.MAPPER.readTree(json);
    accounts.put(namespace + "/" + account.path("metadata").path("name").asString(), account);
  }

  private ObjectNode admit(String podJson) {
    ObjectNode pod = (ObjectNode) Json.MAPPER.readTree(podJson);
    chain.admit(
        new AdmissionRequest(
            AdmissionRequest.Operation.CREATE,
            PODS,
            "",
            "team",
            pod.path("metadata").path("name").asString(""),
            pod,
            null,
            UserInfo.ANONYMOUS,
            false));
    return pod;
  }

  /** The compact form of {@code text}, to compare with a node's regardless of number types. */
  private static String json(String text) {
    return Json.MAPPER.readTree(text).toString();
  }

  private static JsonNode mount(JsonNode container) {
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("mountPath").asString().equals(MOUNT)) {
        return mount;
      }
    }
    return null;
  }

  @Test
  void defaultServiceAccountAndTokenVolumeAreAdded() {
    account("team", "{\"metadata\":{\"name\":\"default\"}}");

    ObjectNode pod =
        admit(
            """
            {"metadata":{"name":"web"},"spec":{
              "initContainers":[{"name":"init","image":"busybox"}],
              "containers":[{"name":"a","image":"busybox"},
                {"name":"b","image":"busybox",
                 "volumeMounts":[{"name":"data","mountPath":"/data"}]}]}}
            """);

    JsonNode spec = pod.path("spec");
    assertThat(spec.path("serviceAccountName").asString()).isEqualTo("default");
    assertThat(spec.path("serviceAccount").asString()).isEqualTo("default");
    assertThat(spec.path("volumes")).hasSize(1);
    JsonNode volume = spec.path("volumes").get(0);
    String name = volume.path("name").asString();
    assertThat(name).matches("kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}");
    assertThat(volume.path("projected").toString())
        .isEqualTo(
            json(
                """
                {"sources":[
                  {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
                  {"configMap":{"name":"kube-root-ca.crt",
                                "items":[{"key":"ca.crt","path":"ca.crt"}]}},
                  {"downwardAPI":{"items":[{"fieldRef":{"apiVersion":"v1",
                    "fieldPath":"metadata.namespace"},"path":"namespace"}]}}],
                 "defaultMode":420}
                """));
    JsonNode expectedMount =
        Json.MAPPER.readTree(
            "{\"name\":\"" + name + "\",\"readOnly\":true,\"mountPath\":\"" + MOUNT + "\"}");
    assertThat(mount(spec.path("initContainers").get(0))).isEqualTo(expectedMount);
    assertThat(mount(spec.path("containers").get(0))).isEqualTo(expectedMount);
    assertThat(spec.path("containers").get(1).path("volumeMounts")).hasSize(2);
    assertThat(mount(spec.path("containers").get(1))).isEqualTo(expectedMount);
    assertThat(lookups).containsExactly("team/default");
  }

  @Test
  void namedServiceAccountMustExistAndIsLookedUpOnce() {
    assertThatThrownBy(
            () ->
                admit(
                    """
                    {"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot",
                      "containers":[{"name":"a","image":"busybox"}]}}
                    """))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(403);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "pods \"web\" is forbidden: error looking up service account team/robot:"
                          + " serviceaccount \"robot\" not found");
            });
    assertThat(lookups).containsExactly("team/robot");
    assertThat(sleeps).isEmpty();
  }

  @Test
  void defaultServiceAccountIsAwaitedBeforeRefusing() {
    assertThatThrownBy(
            () -> admit("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":[]}}"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("error looking up service account team/default");
    assertThat(lookups).hasSize(10);
    assertThat(sleeps).hasSize(9);
    assertThat(sleeps.getFirst()).isBetween(Duration.ofMillis(100), Duration.ofMillis(199));
  }

  @Test
  void defaultServiceAccountCreatedWhileWaitingIsUsed() {
    AdmissionChain late =
        new AdmissionChain(
            List.of(
                new ServiceAccountAdmission(
                    (namespace, name) ->
                        sleeps.size() < 3
                            ? Optional.empty()
                            : Optional.of(
                                (ObjectNode)
                                    Json.MAPPER.readTree("{\"metadata\":{\"name\":\"default\"}}")),
                    new SplittableRandom(1),
                    sleeps::add)));
    ObjectNode pod =
        (ObjectNode)
            Json.MAPPER.readTree(
                "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
    late.admit(
        new AdmissionRequest(
            AdmissionRequest.Operation.CREATE,
            PODS,
            "",
            "team",
            "p",
            pod,
            null,
            UserInfo.ANONYMOUS,
            false));

    assertThat(sleeps).hasSize(3);
    assertThat(pod.path("spec").path("volumes")).hasSize(1);
  }

  @Test
  void automountFalseOnTheServiceAccountSkipsTheVolume() {
    account(
        "team",
        "{\"metadata\":{\"name\":\"quiet\"},\"automountServiceAccountToken\":false,"
            + "\"imagePullSecrets\":[{\"name\":\"registry\"}]}");

    ObjectNode pod =
        admit(
            """
            {"metadata":{"name":"web"},"spec":{"serviceAccountName":"quiet",
              "containers":[{"name":"a","image":"busybox"}]}}
            """);

    assertThat(pod.path("spec").has("volumes")).isFalse();
    assertThat(pod.path("spec").path("containers").get(0).has("volumeMounts")).isFalse();
    assertThat(pod.path("spec").path("imagePullSecrets"))
        .isEqualTo(Json.MAPPER.readTree("[{\"name\":\"registry\"}]"));
  }

  @Test
  void thePodsAutomountChoiceWinsOverTheServiceAccounts() {
    account("team", "{\"metadata\":{\"name\":\"quiet\"},\"automountServiceAccountToken\":false}");
    account("team", "{\"metadata\":{\"name\":\"default\"}}");

    ObjectNode mounted =
        admit(
            """
            {"metadata":{"name":"a"},"spec":{"serviceAccountName":"quiet",
              "automountServiceAccountToken":true,"containers":[{"name":"a"}]}}
            """);
    ObjectNode unmounted =
        admit(
            """
            {"metadata":{"name":"b"},"spec":{"automountServiceAccountToken":false,
              "containers":[{"name":"a"}],"imagePullSecrets":[{"name":"mine"}]}}
            """);

    assertThat(mounted.path("spec").path("volumes")).hasSize(1);
    assertThat(mount(mounted.path("spec").path("containers").get(0))).isNotNull();
    assertThat(unmounted.path("spec").path("serviceAccountName").asString()).isEqualTo("default");
    assertThat(unmounted.path("spec").has("volumes")).isFalse();
    assertThat(unmounted.path("spec").path("imagePullSecrets"))
        .isEqualTo(Json.MAPPER.readTree("[{\"name\":\"mine\"}]"));
  }

  @Test
  void containersWithSomethingAtTheTokenPathKeepIt() {
    account("team", "{\"metadata\":{\"name\":\"default\"}}");

    ObjectNode allOwn =
        admit(
            """
            {"metadata":{"name":"own"},"spec":{
              "containers":[{"name":"a","volumeMounts":[{"name":"mine","mountPath":"%s"}]}],
              "volumes":[{"name":"mine","emptyDir":{}}]}}
            """
                .formatted(MOUNT));
    ObjectNode mixed =
        admit(
            """
            {"metadata":{"name":"mixed"},"spec":{
              "containers":[{"name":"a","volumeMounts":[{"name":"mine","mountPath":"%s"}]},
                            {"name":"b"}],
              "volumes":[{"name":"mine","emptyDir":{}}]}}
            """
                .formatted(MOUNT));

    assertThat(allOwn.path("spec").path("volumes")).hasSize(1);
    assertThat(allOwn.path("spec").path("containers").get(0).path("volumeMounts")).hasSize(1);
    assertThat(mixed.path("spec").path("volumes")).hasSize(2);
    assertThat(mount(mixed.path("spec").path("containers").get(0)).path("name").asString())
        .isEqualTo("mine");
    assertThat(mount(mixed.path("spec").path("containers").get(1)).path("name").asString())
        .startsWith("kube-api-access-");
  }

  @Test
  void anExistingTokenVolumeIsReused() {
    account("team", "{\"metadata\":{\"name\":\"default\"}}");

    ObjectNode pod =
        admit(
            """
            {"metadata":{"name":"copy"},"spec":{
              "containers":[{"name":"a"}],
              "volumes":[{"name":"kube-api-access-abcde","projected":{"sources":[]}}]}}
            """);

    assertThat(pod.path("spec").path("volumes")).hasSize(1);
    assertThat(mount(pod.path("spec").path("containers").get(0)).path("name").asString())
        .isEqualTo("kube-api-access-abcde");
  }

  @Test
  void mirrorPodsAreLeftAlone() {
    ObjectNode pod =
        admit(
            """
            {"metadata":{"name":"static-node1",
              "annotations":{"kubernetes.io/config.mirror":"abc"}},
             "spec":{"containers":[{"name":"a"}],"tolerations":[{"operator":"Exists"}]}}
            """);

    assertThat(pod.path("spec").has("serviceAccountName")).isFalse();
    assertThat(pod.path("spec").has("volumes")).isFalse();
    assertThat(pod.path("spec").path("tolerations")).hasSize(1);
    assertThat(lookups).isEmpty();
  }

  @Test
  void mirrorPodsMayNotReferenceAccountsSecretsOrTokens() {
    String mirror =
        """
        {"metadata":{"name":"static-node1","annotations":{"kubernetes.io/config.mirror":"abc"}},
         "spec":%s}
        """;
    assertRefused(
        mirror.formatted("{\"serviceAccountName\":\"robot\",\"containers\":[]}"),
        "a mirror pod may not reference service accounts");
    assertRefused(
        mirror.formatted(
            "{\"containers\":[],\"volumes\":[{\"name\":\"s\",\"secret\":{\"secretName\":\"x\"}}]}"),
        "a mirror pod may not reference secrets");
    assertRefused(
        mirror.formatted(
            "{\"containers\":[{\"name\":\"a\",\"envFrom\":[{\"secretRef\":{\"name\":\"x\"}}]}]}"),
        "a mirror pod may not reference secrets");
    assertRefused(
        mirror.formatted(
            "{\"containers\":[],\"volumes\":[{\"name\":\"t\",\"projected\":{\"sources\":"
                + "[{\"serviceAccountToken\":{\"path\":\"token\"}}]}}]}"),
        "a mirror pod may not use ServiceAccountToken volume projections");
  }

  private void assertRefused(String pod, String reason) {
    assertThatThrownBy(() -> admit(pod))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(403);
              assertThat(e.getMessage()).isEqualTo("pods \"static-node1\" is forbidden: " + reason);
            });
  }

  @Test
  void ephemeralContainersGetNoTokenMount() {
    account("team", "{\"metadata\":{\"name\":\"default\"}}");

    ObjectNode pod =
        admit(
            """
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}],
              "ephemeralContainers":[{"name":"debug"}]}}
            """);

    assertThat(pod.path("spec").path("ephemeralContainers").get(0).has("volumeMounts")).isFalse();
  }

  @Test
  void defaultTolerationsAreAddedOnlyWhenMissing() {
    account("team", "{\"metadata\":{\"name\":\"default\"}}");

    ObjectNode plain = admit("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]}}");
    ObjectNode partial =
        admit(
            """
            {"metadata":{"name":"q"},"spec":{"containers":[],"tolerations":[
              {"key":"node.kubernetes.io/unreachable","operator":"Exists",
               "effect":"NoExecute","tolerationSeconds":60},
              {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoSchedule"}]}}
            """);
    ObjectNode emptyEffect =
        admit(
            """
            {"metadata":{"name":"r"},"spec":{"containers":[],"tolerations":[
              {"key":"node.kubernetes.io/not-ready","operator":"Exists"}]}}
            """);
    ObjectNode wildcard =
        admit(
            """
            {"metadata":{"name":"s"},"spec":{"containers":[],"tolerations":[
              {"operator":"Exists"}]}}
            """);

    assertThat(plain.path("spec").path("tolerations").toString())
        .isEqualTo(
            json(
                """
                [{"key":"node.kubernetes.io/not-ready","operator":"Exists",
                  "effect":"NoExecute","tolerationSeconds":300},
                 {"key":"node.kubernetes.io/unreachable","operator":"Exists",
                  "effect":"NoExecute","tolerationSeconds":300}]
                """));
    assertThat(partial.path("spec").path("tolerations")).hasSize(3);
    assertThat(partial.path("spec").path("tolerations").get(2).path("key").asString())
        .isEqualTo("node.kubernetes.io/not-ready");
    assertThat(partial.path("spec").path("tolerations").get(0).path("tolerationSeconds").asLong())
        .isEqualTo(60);
    assertThat(emptyEffect.path("spec").path("tolerations")).hasSize(2);
    assertThat(emptyEffect.path("spec").path("tolerations").get(1).path("key").asString())
        .isEqualTo("node.kubernetes.io/unreachable");
    assertThat(wildcard.path("spec").path("tolerations")).hasSize(1);
  }
}
