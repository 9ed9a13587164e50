package dev.skiff.api.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class JsonPatchTest {
  private static JsonNode json(String s) {
    return Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  record Case(String name, String doc, String patch, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("add member", "{'a':1}", "[{'op':'add','path':'/b','value':2}]", "{'a':1,'b':2}"),
        new Case(
            "add replaces member", "{'a':1}", "[{'op':'add','path':'/a','value':3}]", "{'a':3}"),
        new Case(
            "add into array",
            "{'a':[1,3]}",
            "[{'op':'add','path':'/a/1','value':2}]",
            "{'a':[1,2,3]}"),
        new Case(
            "append with dash",
            "{'a':[1]}",
            "[{'op':'add','path':'/a/-','value':2}]",
            "{'a':[1,2]}"),
        new Case(
            "add at end index",
            "{'a':[1]}",
            "[{'op':'add','path':'/a/1','value':2}]",
            "{'a':[1,2]}"),
        new Case("remove", "{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]", "{'b':2}"),
        new Case(
            "remove element", "{'a':[1,2,3]}", "[{'op':'remove','path':'/a/1'}]", "{'a':[1,3]}"),
        new Case(
            "replace",
            "{'a':{'b':1}}",
            "[{'op':'replace','path':'/a/b','value':'x'}]",
            "{'a':{'b':'x'}}"),
        new Case(
            "replace root", "{'a':1}", "[{'op':'replace','path':'','value':{'z':0}}]", "{'z':0}"),
        new Case(
            "move",
            "{'a':{'b':1},'c':{}}",
            "[{'op':'move','from':'/a/b','path':'/c/d'}]",
            "{'a':{},'c':{'d':1}}"),
        new Case(
            "copy", "{'a':[1]}", "[{'op':'copy','from':'/a','path':'/b'}]", "{'a':[1],'b':[1]}"),
        new Case(
            "test then replace",
            "{'a':1}",
            "[{'op':'test','path':'/a','value':1.0},{'op':'replace','path':'/a','value':2}]",
            "{'a':2}"),
        new Case(
            "escaped path",
            "{'metadata':{'labels':{'app.kubernetes.io/name':'x','a~b':'y'}}}",
            "[{'op':'replace','path':'/metadata/labels/app.kubernetes.io~1name','value':'z'},"
                + "{'op':'remove','path':'/metadata/labels/a~0b'}]",
            "{'metadata':{'labels':{'app.kubernetes.io/name':'z'}}}"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void applies(Case c) {
    assertThat(JsonPatch.apply(json(c.doc()), json(c.patch()))).isEqualTo(json(c.expected()));
  }

  record Failure(String name, String doc, String patch, int status, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Failure> failures() {
    return Stream.of(
        new Failure(
            "test fails",
            "{'a':1}",
            "[{'op':'test','path':'/a','value':2}]",
            422,
            "testing value /a failed: test failed"),
        new Failure(
            "remove missing",
            "{'a':1}",
            "[{'op':'remove','path':'/b'}]",
            422,
            "remove operation does not apply: doc is missing path: \"/b\""),
        new Failure(
            "replace missing",
            "{'a':1}",
            "[{'op':'replace','path':'/b','value':1}]",
            422,
            "replace operation does not apply: doc is missing path: \"/b\""),
        new Failure(
            "add under missing parent",
            "{}",
            "[{'op':'add','path':'/a/b','value':1}]",
            422,
            "add operation does not apply: doc is missing path: \"/a/b\""),
        new Failure(
            "index out of bounds",
            "{'a':[]}",
            "[{'op':'add','path':'/a/5','value':1}]",
            422,
            "add operation does not apply: index out of bounds in \"/a/5\""),
        new Failure(
            "not an array",
            "{}",
            "{'op':'add'}",
            400,
            "a JSON patch must be a JSON array of operations"),
        new Failure(
            "unknown op",
            "{}",
            "[{'op':'frob','path':'/a'}]",
            400,
            "unexpected JSON patch operation \"frob\""),
        new Failure(
            "missing value",
            "{}",
            "[{'op':'add','path':'/a'}]",
            400,
            "invalid JSON patch operation add: missing \"value\""),
        new Failure(
            "bad pointer",
            "{}",
            "[{'op':'add','path':'a','value':1}]",
            400,
            "invalid JSON pointer \"a\": must start with '/'"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void fails(Failure c) {
    assertThatThrownBy(() -> JsonPatch.apply(json(c.doc()), json(c.patch())))
        .isInstanceOfSatisfying(
            PatchException.class, e -> assertThat(e.statusCode()).isEqualTo(c.status()))
        .hasMessage(c.message());
  }

  @Test
  void failedPatchLeavesTheTargetUntouched() {
    JsonNode doc = json("{'a':1}");
    assertThatThrownBy(
            () ->
                JsonPatch.apply(
                    doc,
                    json(
                        "[{'op':'replace','path':'/a','value':5},{'op':'test','path':'/a','value':1}]")))
        .isInstanceOf(PatchException.class);
    assertThat(doc).isEqualTo(json("{'a':1}"));
  }

  @Test
  void mergePatchFollowsRfc7386() {
    assertThat(
            MergePatch.apply(
                json("{'a':'b','c':{'d':'e','f':'g'},'l':[1,2]}"),
                json("{'a':'z','c':{'f':null},'l':[3],'n':{'x':null,'y':1}}")))
        .isEqualTo(json("{'a':'z','c':{'d':'e'},'l':[3],'n':{'y':1}}"));
    assertThat(MergePatch.apply(json("{'a':1}"), json("[1]"))).isEqualTo(json("[1]"));
    assertThat(MergePatch.apply(json("[1]"), json("{'a':1}"))).isEqualTo(json("{'a':1}"));
  }
}
