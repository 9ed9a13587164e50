package dev.skiff.controllers.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VolumeMatcherTest {

  record Case(
      String name,
      PersistentVolumeClaim claim,
      List<PersistentVolume> volumes,
      boolean delayBinding,
      String expected) {}

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "smallest volume that is large enough",
            claim("2Gi", c -> c),
            List.of(volume("pv-1g", "1Gi"), volume("pv-5g", "5Gi"), volume("pv-3g", "3Gi")),
            false,
            "pv-3g"),
        new Case(
            "exact size fits",
            claim("2Gi", c -> c),
            List.of(volume("pv-2g", "2Gi"), volume("pv-3g", "3Gi")),
            false,
            "pv-2g"),
        new Case(
            "none large enough",
            claim("10Gi", c -> c),
            List.of(volume("pv-5g", "5Gi")),
            false,
            null),
        new Case(
            "fewest access modes first, then size",
            claim("1Gi", c -> c),
            List.of(
                volume("rwo-rwx-2g", "2Gi", v -> modes(v, "ReadWriteOnce", "ReadWriteMany")),
                volume("rwo-10g", "10Gi")),
            false,
            "rwo-10g"),
        new Case(
            "volume lacking a requested mode",
            claim("1Gi", c -> claimModes(c, "ReadWriteMany")),
            List.of(volume("rwo", "5Gi")),
            false,
            null),
        new Case(
            "named class only matches that class",
            claim("1Gi", c -> claimClass(c, "fast")),
            List.of(
                volume("none", "1Gi"),
                volume("slow", "1Gi", v -> volumeClass(v, "slow")),
                volume("fast", "2Gi", v -> volumeClass(v, "fast"))),
            false,
            "fast"),
        new Case(
            "no class (unset) matches only class-less volumes",
            claim("1Gi", c -> c),
            List.of(volume("fast", "1Gi", v -> volumeClass(v, "fast")), volume("none", "2Gi")),
            false,
            "none"),
        new Case(
            "empty class matches a volume with storageClassName \"\"",
            claim("1Gi", c -> claimClass(c, "")),
            List.of(volume("empty", "1Gi", v -> volumeClass(v, ""))),
            false,
            "empty"),
        new Case(
            "selector matchLabels and matchExpressions",
            claim(
                "1Gi",
                c ->
                    selector(
                        c,
                        new LabelSelectorBuilder()
                            .withMatchLabels(Map.of("tier", "db"))
                            .addNewMatchExpression()
                            .withKey("zone")
                            .withOperator("In")
                            .withValues("a", "b")
                            .endMatchExpression()
                            .build())),
            List.of(
                volume("unlabelled", "1Gi"),
                volume("wrong-zone", "1Gi", v -> labels(v, Map.of("tier", "db", "zone", "c"))),
                volume("right", "5Gi", v -> labels(v, Map.of("tier", "db", "zone", "b")))),
            false,
            "right"),
        new Case(
            "volume mode must agree (Block vs default Filesystem)",
            claim("1Gi", c -> c),
            List.of(volume("block", "1Gi", v -> volumeMode(v, "Block")), volume("fs", "9Gi")),
            false,
            "fs"),
        new Case(
            "only Available volumes",
            claim("1Gi", c -> c),
            List.of(volume("released", "1Gi", v -> phase(v, "Released")), volume("ok", "3Gi")),
            false,
            "ok"),
        new Case(
            "volume claimed by another claim is skipped",
            claim("1Gi", c -> c),
            List.of(
                volume("taken", "1Gi", v -> claimRef(v, "other", "uid-x")), volume("ok", "3Gi")),
            false,
            "ok"),
        new Case(
            "volume being deleted is skipped",
            claim("1Gi", c -> c),
            List.of(
                volume(
                    "deleting",
                    "1Gi",
                    v -> {
                      v.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
                      return v;
                    })),
            false,
            null),
        new Case(
            "volume pre-bound to the claim wins whatever its size",
            claim("1Gi", c -> c),
            List.of(volume("small", "1Gi"), volume("mine", "50Gi", v -> claimRef(v, "data", ""))),
            false,
            "mine"),
        new Case(
            "delayed binding takes only a volume pointing at the claim",
            claim("1Gi", c -> c),
            List.of(volume("free", "1Gi")),
            true,
            null),
        new Case(
            "delayed binding and a volume the scheduler pre-bound",
            claim("1Gi", c -> c),
            List.of(
                volume("free", "1Gi"), volume("chosen", "2Gi", v -> claimRef(v, "data", "uid-1"))),
            true,
            "chosen"),
        new Case(
            "claimRef with another uid is another claim's",
            claim("1Gi", c -> c),
            List.of(volume("old", "1Gi", v -> claimRef(v, "data", "uid-old"))),
            false,
            null));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void findsTheBestVolume(Case c) {
    Optional<PersistentVolume> found =
        VolumeMatcher.findBestMatch(c.claim(), c.volumes(), c.delayBinding());
    assertThat(found.map(v -> v.getMetadata().getName()).orElse(null)).isEqualTo(c.expected());
  }

  record MismatchCase(String name, PersistentVolume volume, String reason) {}

  static Stream<MismatchCase> mismatches() {
    return Stream.of(
        new MismatchCase("fits", volume("pv", "2Gi"), null),
        new MismatchCase("too small", volume("pv", "1Mi"), "requested PV is too small"),
        new MismatchCase(
            "class",
            volume("pv", "2Gi", v -> volumeClass(v, "x")),
            "storageClassName does not match"),
        new MismatchCase(
            "mode", volume("pv", "2Gi", v -> volumeMode(v, "Block")), "incompatible volumeMode"),
        new MismatchCase(
            "access",
            volume("pv", "2Gi", v -> modes(v, "ReadOnlyMany")),
            "incompatible accessMode"));
  }

  @ParameterizedTest
  @MethodSource("mismatches")
  void explainsWhyARequestedVolumeDoesNotFit(MismatchCase c) {
    assertThat(VolumeMatcher.mismatch(c.volume(), claim("1Gi", x -> x)).orElse(null))
        .isEqualTo(c.reason());
  }

  static PersistentVolumeClaim claim(String size, UnaryOperator<PersistentVolumeClaim> change) {
    return change.apply(
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName("data")
            .withNamespace("app")
            .withUid("uid-1")
            .endMetadata()
            .withNewSpec()
            .withAccessModes("ReadWriteOnce")
            .withNewResources()
            .withRequests(Map.of("storage", new Quantity(size)))
            .endResources()
            .endSpec()
            .build());
  }

  static PersistentVolume volume(String name, String size) {
    return volume(name, size, v -> v);
  }

  static PersistentVolume volume(String name, String size, UnaryOperator<PersistentVolume> change) {
    return change.apply(
        new PersistentVolumeBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withCapacity(Map.of("storage", new Quantity(size)))
            .withAccessModes("ReadWriteOnce")
            .withNewHostPath()
            .withPath("/data/" + name)
            .endHostPath()
            .endSpec()
            .withNewStatus()
            .withPhase("Available")
            .endStatus()
            .build());
  }

  private static PersistentVolume modes(PersistentVolume v, String... modes) {
    v.getSpec().setAccessModes(List.of(modes));
    return v;
  }

  private static PersistentVolumeClaim claimModes(PersistentVolumeClaim c, String... modes) {
    c.getSpec().setAccessModes(List.of(modes));
    return c;
  }

  private static PersistentVolumeClaim claimClass(PersistentVolumeClaim c, String name) {
    c.getSpec().setStorageClassName(name);
    return c;
  }

  private static PersistentVolume volumeClass(PersistentVolume v, String name) {
    v.getSpec().setStorageClassName(name);
    return v;
  }

  private static PersistentVolumeClaim selector(
      PersistentVolumeClaim c, io.fabric8.kubernetes.api.model.LabelSelector selector) {
    c.getSpec().setSelector(selector);
    return c;
  }

  private static PersistentVolume labels(PersistentVolume v, Map<String, String> labels) {
    v.getMetadata().setLabels(labels);
    return v;
  }

  private static PersistentVolume volumeMode(PersistentVolume v, String mode) {
    v.getSpec().setVolumeMode(mode);
    return v;
  }

  private static PersistentVolume phase(PersistentVolume v, String phase) {
    v.getStatus().setPhase(phase);
    return v;
  }

  private static PersistentVolume claimRef(PersistentVolume v, String claim, String uid) {
    v.getSpec()
        .setClaimRef(
            new ObjectReferenceBuilder()
                .withKind("PersistentVolumeClaim")
                .withNamespace("app")
                .withName(claim)
                .withUid(uid.isEmpty() ? null : uid)
                .build());
    return v;
  }
}
