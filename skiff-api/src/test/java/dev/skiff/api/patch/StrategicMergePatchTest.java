package dev.skiff.api.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.skiff.api.Json;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class StrategicMergePatchTest {
  private static ObjectNode json(String s) {
    return (ObjectNode) Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  private static final String DEPLOYMENT =
      """
      {'apiVersion':'apps/v1','kind':'Deployment',
       'metadata':{'name':'web','labels':{'app':'web','tier':'front'},'finalizers':['a','b']},
       'spec':{'replicas':2,
         'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1,'maxUnavailable':0}},
         'template':{'metadata':{'labels':{'app':'web'}},
           'spec':{'containers':[
             {'name':'nginx','image':'nginx:1.0',
              'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}],
              'ports':[{'containerPort':80,'protocol':'TCP'}]},
             {'name':'sidecar','image':'envoy:1'}],
             'tolerations':[{'key':'k1','operator':'Exists'}]}}}}
      """;

  private static ObjectNode patchDeployment(String patch) {
    return StrategicMergePatch.apply(json(DEPLOYMENT), json(patch), Deployment.class);
  }

  private static JsonNode containers(ObjectNode deployment) {
    return deployment.at("/spec/template/spec/containers");
  }

  @Test
  void changesOneContainerImageAndKeepsTheRest() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.1'}]}}}}");
    assertThat(containers(result))
        .isEqualTo(
            Json.MAPPER.readTree(
                """
                [{"name":"nginx","image":"nginx:1.1",
                  "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                  "ports":[{"containerPort":80,"protocol":"TCP"}]},
                 {"name":"sidecar","image":"envoy:1"}]
                """));
    assertThat(result.at("/spec/replicas").asInt()).isEqualTo(2);
  }

  @Test
  void addsUpdatesAndRemovesEnvironmentVariablesByName() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'containers':[{'name':'nginx','env':["
                + "{'name':'C','value':'3'},{'name':'A','$patch':'delete'},{'name':'B','value':'20'}]}]}}}}");
    assertThat(containers(result).get(0).get("env"))
        .isEqualTo(
            Json.MAPPER.readTree(
                "[{\"name\":\"C\",\"value\":\"3\"},{\"name\":\"B\",\"value\":\"20\"}]"));
  }

  @Test
  void nullRemovesAFieldOfAMergedElement() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'containers':[{'name':'nginx','ports':null}]}}}}");
    assertThat(containers(result).get(0).has("ports")).isFalse();
    assertThat(containers(result).get(0).get("image").asString()).isEqualTo("nginx:1.0");
  }

  @Test
  void deletesAContainerWithPatchDelete() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'containers':[{'name':'sidecar','$patch':'delete'}]}}}}");
    assertThat(containers(result)).hasSize(1);
    assertThat(containers(result).get(0).get("name").asString()).isEqualTo("nginx");
  }

  @Test
  void replacesAListWithPatchReplace() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'containers':[{'name':'only','image':'x'},{'$patch':'replace'}]}}}}");
    assertThat(containers(result))
        .isEqualTo(Json.MAPPER.readTree("[{\"name\":\"only\",\"image\":\"x\"}]"));
  }

  @Test
  void replacesAndDeletesMapsWithPatchDirective() {
    ObjectNode replaced =
        patchDeployment("{'metadata':{'labels':{'$patch':'replace','only':'this'}}}");
    assertThat(replaced.at("/metadata/labels")).isEqualTo(json("{'only':'this'}"));
    ObjectNode deleted = patchDeployment("{'spec':{'strategy':{'$patch':'delete'}}}");
    assertThat(deleted.at("/spec/strategy")).isEqualTo(json("{}"));
  }

  @Test
  void setElementOrderReordersTheMergedList() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{"
                + "'$setElementOrder/containers':[{'name':'sidecar'},{'name':'nginx'}],"
                + "'containers':[{'name':'nginx','image':'nginx:2'}]}}}}");
    assertThat(containers(result).get(0).get("name").asString()).isEqualTo("sidecar");
    assertThat(containers(result).get(1).get("image").asString()).isEqualTo("nginx:2");
    assertThat(result.at("/spec/template/spec").has("$setElementOrder/containers")).isFalse();
  }

  @Test
  void setElementOrderWithoutAPatchListOnlyReorders() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'containers':[{'name':'nginx',"
                + "'$setElementOrder/env':[{'name':'B'},{'name':'A'}]}]}}}}");
    assertThat(containers(result).get(0).get("env"))
        .isEqualTo(
            Json.MAPPER.readTree(
                "[{\"name\":\"B\",\"value\":\"2\"},{\"name\":\"A\",\"value\":\"1\"}]"));
  }

  @Test
  void setElementOrderKeepsServerOnlyElementsInTheirOriginalPlaces() {
    ObjectNode pod =
        json("{'spec':{'containers':[{'name':'a'},{'name':'s'},{'name':'b'},{'name':'t'}]}}");
    ObjectNode result =
        StrategicMergePatch.apply(
            pod,
            json(
                "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'c'},{'name':'a'}],"
                    + "'containers':[{'name':'c'}]}}"),
            Pod.class);
    assertThat(names(result.at("/spec/containers"))).containsExactly("s", "b", "c", "a", "t");
  }

  @Test
  void setElementOrderMustAgreeWithThePatchList() {
    assertThatThrownBy(
            () ->
                patchDeployment(
                    "{'spec':{'template':{'spec':{"
                        + "'$setElementOrder/containers':[{'name':'sidecar'},{'name':'nginx'}],"
                        + "'containers':[{'name':'nginx'},{'name':'sidecar'}]}}}}"))
        .isInstanceOfSatisfying(
            PatchException.class, e -> assertThat(e.statusCode()).isEqualTo(400))
        .hasMessageStartingWith("The order in patch list:");
  }

  @Test
  void directivesOnFieldsTheOriginalLacksAreDropped() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'affinity':{'$patch':'delete'},"
                + "'initContainers':[{'name':'i','image':'x','env':[{'name':'gone','$patch':'delete'}]},"
                + "{'$patch':'replace'}]}}}}");
    assertThat(result.at("/spec/template/spec").has("affinity")).isFalse();
    assertThat(result.at("/spec/template/spec/initContainers"))
        .isEqualTo(Json.MAPPER.readTree("[{\"name\":\"i\",\"image\":\"x\",\"env\":[]}]"));
  }

  @Test
  void retainKeysClearsFieldsNotListed() {
    ObjectNode result =
        patchDeployment("{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}");
    assertThat(result.at("/spec/strategy")).isEqualTo(json("{'type':'Recreate'}"));
  }

  @Test
  void retainKeysMustListEveryPatchedField() {
    assertThatThrownBy(
            () ->
                patchDeployment(
                    "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':{}}}}"))
        .isInstanceOfSatisfying(
            PatchException.class, e -> assertThat(e.statusCode()).isEqualTo(400))
        .hasMessage("invalid patch format of retainKeys");
  }

  @Test
  void withoutRetainKeysTheStrategyMerges() {
    ObjectNode result = patchDeployment("{'spec':{'strategy':{'type':'Recreate'}}}");
    assertThat(result.at("/spec/strategy/rollingUpdate/maxSurge").asInt()).isEqualTo(1);
  }

  @Test
  void finalizersMergeAsASetAndDeleteFromPrimitiveList() {
    ObjectNode added = patchDeployment("{'metadata':{'finalizers':['c','a']}}");
    assertThat(added.at("/metadata/finalizers"))
        .isEqualTo(Json.MAPPER.readTree("[\"c\",\"a\",\"b\"]"));
    ObjectNode removed =
        patchDeployment("{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}");
    assertThat(removed.at("/metadata/finalizers")).isEqualTo(Json.MAPPER.readTree("[\"b\"]"));
  }

  @Test
  void listsWithoutAStrategyAreReplaced() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'tolerations':[{'key':'k2','operator':'Exists'}]}}}}");
    assertThat(result.at("/spec/template/spec/tolerations"))
        .isEqualTo(Json.MAPPER.readTree("[{\"key\":\"k2\",\"operator\":\"Exists\"}]"));
  }

  @Test
  void nullsInsideReplacedValuesAreDropped() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'tolerations':[{'key':'k2','operator':'Exists','value':null}]}}},"
                + "'metadata':{'labels':{'$patch':'replace','a':'1','b':null}}}");
    assertThat(result.at("/spec/template/spec/tolerations"))
        .isEqualTo(Json.MAPPER.readTree("[{\"key\":\"k2\",\"operator\":\"Exists\"}]"));
    assertThat(result.at("/metadata/labels")).isEqualTo(json("{'a':'1'}"));
  }

  @Test
  void mapsMergeAndNullDeletesKeys() {
    ObjectNode result = patchDeployment("{'metadata':{'labels':{'tier':null,'new':'x'}}}");
    assertThat(result.at("/metadata/labels")).isEqualTo(json("{'app':'web','new':'x'}"));
  }

  @Test
  void serverOnlyElementsKeepTheirRelativePlace() {
    ObjectNode pod =
        json(
            "{'spec':{'containers':[{'name':'a','image':'1'},{'name':'s','image':'1'},{'name':'b','image':'1'}]}}");
    ObjectNode result =
        StrategicMergePatch.apply(
            pod,
            json("{'spec':{'containers':[{'name':'b','image':'2'},{'name':'a','image':'2'}]}}"),
            Pod.class);
    assertThat(names(result.at("/spec/containers"))).containsExactly("s", "b", "a");
  }

  @Test
  void newElementsGoBeforeServerOnlyOnesAsInKubernetes() {
    ObjectNode result =
        patchDeployment(
            "{'spec':{'template':{'spec':{'containers':[{'name':'new','image':'n','env':[{'name':'X','value':null}]}]}}}}");
    assertThat(names(containers(result))).containsExactly("new", "nginx", "sidecar");
    assertThat(containers(result).get(0).get("env"))
        .isEqualTo(Json.MAPPER.readTree("[{\"name\":\"X\"}]"));
  }

  @Test
  void servicePortsMergeByPort() {
    ObjectNode svc =
        json("{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':8443}]}}");
    ObjectNode result =
        StrategicMergePatch.apply(
            svc, json("{'spec':{'ports':[{'port':443,'targetPort':9443}]}}"), Service.class);
    assertThat(result.at("/spec/ports"))
        .isEqualTo(
            Json.MAPPER.readTree(
                "[{\"port\":80,\"targetPort\":8080},{\"port\":443,\"targetPort\":9443}]"));
  }

  @Test
  void podDisruptionBudgetSelectorIsReplacedWhole() {
    ObjectNode pdb =
        json("{'spec':{'minAvailable':1,'selector':{'matchLabels':{'app':'web','tier':'x'}}}}");
    ObjectNode result =
        StrategicMergePatch.apply(
            pdb,
            json("{'spec':{'selector':{'matchLabels':{'app':'db'}}}}"),
            io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class);
    assertThat(result)
        .isEqualTo(json("{'spec':{'minAvailable':1,'selector':{'matchLabels':{'app':'db'}}}}"));
  }

  @Test
  void webhooksMergeByName() {
    ObjectNode config =
        json(
            "{'webhooks':[{'name':'a.example.com','sideEffects':'None'},{'name':'b.example.com'}]}");
    ObjectNode result =
        StrategicMergePatch.apply(
            config,
            json("{'webhooks':[{'name':'a.example.com','timeoutSeconds':5}]}"),
            io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration
                .class);
    assertThat(result.at("/webhooks/0"))
        .isEqualTo(json("{'name':'a.example.com','sideEffects':'None','timeoutSeconds':5}"));
    assertThat(result.at("/webhooks")).hasSize(2);
  }

  @Test
  void aMissingMergeKeyIsRejected() {
    assertThatThrownBy(
            () ->
                patchDeployment(
                    "{'spec':{'template':{'spec':{'containers':[{'image':'no-name'}]}}}}"))
        .isInstanceOfSatisfying(
            PatchException.class, e -> assertThat(e.statusCode()).isEqualTo(422))
        .hasMessageContaining("does not contain declared merge key: name");
  }

  @Test
  void unknownMapDirectiveIsRejected() {
    assertThatThrownBy(() -> patchDeployment("{'spec':{'$patch':'frob'}}"))
        .isInstanceOf(PatchException.class)
        .hasMessageStartingWith("unknown patch type: frob in map:");
  }

  @Test
  void customResourcesFallBackToMergePatch() {
    assertThat(StrategicMergePatch.supportsStrategicMerge(null)).isFalse();
    assertThat(StrategicMergePatch.supportsStrategicMerge(Pod.class)).isTrue();
    ObjectNode result =
        StrategicMergePatch.apply(
            json("{'spec':{'items':[{'name':'a'}],'x':1}}"),
            json("{'spec':{'items':[{'name':'b'}],'x':null}}"),
            null);
    assertThat(result).isEqualTo(json("{'spec':{'items':[{'name':'b'}]}}"));
  }

  @Test
  void inputsAreNotModified() {
    ObjectNode original = json(DEPLOYMENT);
    ObjectNode patch = json("{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}");
    StrategicMergePatch.apply(original, patch, Deployment.class);
    assertThat(original).isEqualTo(json(DEPLOYMENT));
    assertThat(patch.at("/spec/strategy").has("$retainKeys")).isTrue();
  }

  @Test
  void patchMetaIsPublicForOpenApi() {
    assertThat(PatchMeta.of(PodSpec.class, "containers"))
        .contains(new PatchMeta(List.of("merge"), "name"));
    assertThat(PatchMeta.of(PodSpec.class, "volumes").orElseThrow().strategy())
        .isEqualTo("merge,retainKeys");
    assertThat(PatchMeta.of(Container.class, "ports").orElseThrow().mergeKey())
        .isEqualTo("containerPort");
    assertThat(PatchMeta.of(DeploymentSpec.class, "strategy").orElseThrow().isRetainKeys())
        .isTrue();
    assertThat(PatchMeta.of(PodSpec.class, "tolerations")).isEmpty();
    assertThat(PatchMeta.fieldsOf(Container.class)).containsKeys("env", "volumeMounts");
  }

  @Test
  void everyPatchMetaNamesARealFieldAndMergeKey() {
    for (Class<?> owner : PatchMeta.declaringClasses()) {
      Set<String> names = jsonNames(owner);
      PatchMeta.fieldsOf(owner)
          .forEach(
              (field, meta) -> {
                assertThat(names).as(owner.getSimpleName()).contains(field);
                if (!meta.mergeKey().isEmpty()) {
                  Class<?> element = ModelFields.valueClass(owner, field).orElseThrow();
                  assertThat(jsonNames(element))
                      .as(owner.getSimpleName() + "." + field)
                      .contains(meta.mergeKey());
                }
              });
    }
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new java.util.ArrayList<>();
    list.forEach(n -> names.add(n.get("name").asString()));
    return names;
  }

  private static Set<String> jsonNames(Class<?> c) {
    Set<String> names = new HashSet<>();
    for (Field f : c.getDeclaredFields()) {
      JsonProperty p = f.getAnnotation(JsonProperty.class);
      if (p != null) {
        names.add(p.value());
      }
    }
    return names;
  }
}
