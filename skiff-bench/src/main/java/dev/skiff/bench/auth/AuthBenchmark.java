package dev.skiff.bench.auth;

import dev.skiff.api.Json;
import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import dev.skiff.apiserver.authz.Attributes;
import dev.skiff.apiserver.authz.ClusterAuthorizer;
import dev.skiff.apiserver.authz.NodeAuthorizer;
import dev.skiff.apiserver.authz.RbacAuthorizer;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.bench.BenchmarkReport;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreOptions;
import dev.skiff.storage.Stores;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.node.ObjectNode;

/**
 * Authorization cost. Part 1, in process: the RBAC decision for a user bound by one of 1,000
 * RoleBindings (each to its own Role, in 50 namespaces), answered from the rule cache, resolved
 * without it, and the system:masters fast path. Part 2, over HTTPS: ConfigMap create throughput
 * with 32 concurrent requests for a user authorized by RBAC (edit role via a RoleBinding) against
 * the system:masters admin, in the same run.
 *
 * <p>Usage: {@code skiff-bench/run dev.skiff.bench.auth.AuthBenchmark [bindings] [creates]}
 * (defaults 1000 4000). Plain timed loops after warm-up (not JMH).
 */
public final class AuthBenchmark {
  private AuthBenchmark() {}

  public static void main(String[] args) throws Exception {
    int bindings = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int creates = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
    StringBuilder markdown = new StringBuilder();
    markdown
        .append("Command: `skiff-bench/run dev.skiff.bench.auth.AuthBenchmark ")
        .append(bindings)
        .append(' ')
        .append(creates)
        .append("`\n\n");
    decisions(bindings, markdown);
    throughput(creates, markdown);
    System.out.println(markdown);
    BenchmarkReport.writeSection(BenchmarkReport.defaultFile(), "auth", markdown.toString());
    System.exit(0);
  }

  private static void decisions(int count, StringBuilder markdown) throws Exception {
    Path dir = Files.createTempDirectory("auth-bench");
    try (Store store = Stores.open("memory://", StoreOptions.defaults(dir))) {
      for (int i = 0; i < count; i++) {
        ObjectNode role = Json.object();
        role.put("apiVersion", "rbac.authorization.k8s.io/v1");
        role.put("kind", "Role");
        role.putObject("metadata").put("name", "role-" + i).put("namespace", "ns-" + (i % 50));
        ObjectNode rule = role.putArray("rules").addObject();
        rule.putArray("apiGroups").add("");
        rule.putArray("resources").add("configmaps").add("pods");
        rule.putArray("verbs").add("get").add("list");
        store.create(
            "/registry/rbac.authorization.k8s.io/roles/ns-" + (i % 50) + "/role-" + i,
            Json.bytes(role));
        ObjectNode binding = Json.object();
        binding.put("apiVersion", "rbac.authorization.k8s.io/v1");
        binding.put("kind", "RoleBinding");
        binding
            .putObject("metadata")
            .put("name", "binding-" + i)
            .put("namespace", "ns-" + (i % 50));
        ObjectNode roleRef = binding.putObject("roleRef");
        roleRef
            .put("kind", "Role")
            .put("name", "role-" + i)
            .put("apiGroup", "rbac.authorization.k8s.io");
        ObjectNode subject = binding.putArray("subjects").addObject();
        subject
            .put("kind", "User")
            .put("name", "user-" + i)
            .put("apiGroup", "rbac.authorization.k8s.io");
        store.create(
            "/registry/rbac.authorization.k8s.io/rolebindings/ns-" + (i % 50) + "/binding-" + i,
            Json.bytes(binding));
      }
      try (RbacAuthorizer rbac = new RbacAuthorizer(store).start();
          NodeAuthorizer nodes = new NodeAuthorizer(store).start()) {
        rbac.awaitCurrent(Duration.ofSeconds(30));
        ClusterAuthorizer authorizer = new ClusterAuthorizer(nodes, rbac);
        UserInfo user = new UserInfo("user-777", "", List.of("system:authenticated"), Map.of());
        UserInfo master =
            new UserInfo("admin", "", List.of("system:masters", "system:authenticated"), Map.of());
        Attributes allowed =
            Attributes.resource(user, "get", "", "configmaps", "", "ns-" + (777 % 50), "x");
        Attributes denied =
            Attributes.resource(user, "delete", "", "configmaps", "", "ns-" + (777 % 50), "x");
        Attributes masterRequest =
            Attributes.resource(master, "delete", "", "configmaps", "", "ns-1", "x");
        double cachedAllow = nanosPerOp(() -> authorizer.decide(allowed).allowed(), 2_000_000);
        double cachedDeny = nanosPerOp(() -> authorizer.decide(denied).allowed(), 2_000_000);
        double masters = nanosPerOp(() -> authorizer.decide(masterRequest).allowed(), 2_000_000);
        AtomicInteger next = new AtomicInteger();
        double uncached =
            nanosPerOp(
                () -> {
                  // a different user each time: every decision resolves the bindings afresh
                  int i = next.getAndIncrement() % count;
                  UserInfo u =
                      new UserInfo(
                          "user-" + i + "-" + next.get(),
                          "",
                          List.of("system:authenticated"),
                          Map.of());
                  return rbac.rulesFor(u, "ns-" + (i % 50)).isEmpty();
                },
                20_000);
        markdown
            .append("### RBAC decision cost (")
            .append(count)
            .append(" Roles and RoleBindings in 50 namespaces)\n\n")
            .append("| decision | ns/op |\n|---|---:|\n")
            .append(row("system:masters fast path", masters))
            .append(row("RBAC allow, rules cached", cachedAllow))
            .append(row("RBAC deny, rules cached", cachedDeny))
            .append(row("RBAC rule resolution, uncached (new user each time)", uncached))
            .append('\n');
      }
    }
  }

  private static String row(String name, double nanos) {
    return "| " + name + " | " + String.format(Locale.ROOT, "%.0f", nanos) + " |\n";
  }

  private interface Op {
    boolean run();
  }

  private static double nanosPerOp(Op op, int iterations) {
    boolean sink = false;
    for (int i = 0; i < iterations / 4; i++) {
      sink ^= op.run();
    }
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      sink ^= op.run();
    }
    long elapsed = System.nanoTime() - start;
    if (sink && iterations < 0) {
      System.out.println(sink);
    }
    return (double) elapsed / iterations;
  }

  private static void throughput(int creates, StringBuilder markdown) throws Exception {
    Path dir = Files.createTempDirectory("auth-bench-server");
    try (ControlPlane controlPlane =
        ControlPlane.start(
            new ControlPlaneOptions(
                dir,
                "127.0.0.1",
                0,
                "memory://",
                null,
                null,
                null,
                List.of(),
                dir.resolve("admin.kubeconfig")))) {
      KubernetesClient admin = client(controlPlane, "admin", "system:masters");
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build())
          .create();
      admin
          .rbac()
          .roleBindings()
          .inNamespace("bench")
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName("editor")
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "edit")
                  .addNewSubject("rbac.authorization.k8s.io", "User", "editor", null)
                  .build())
          .create();
      controlPlane.security().awaitCurrent(Duration.ofSeconds(10));
      KubernetesClient editor = client(controlPlane, "editor");
      run(admin, "warm", creates / 4);
      run(editor, "warm-rbac", creates / 4);
      double masters = 0;
      double rbac = 0;
      for (int round = 0; round < 2; round++) {
        masters += run(admin, "m" + round, creates / 2);
        rbac += run(editor, "r" + round, creates / 2);
      }
      masters /= 2;
      rbac /= 2;
      markdown
          .append(
              "### ConfigMap create throughput over HTTPS, 32 concurrent requests, memory store\n\n")
          .append("| caller | creates/s |\n|---|---:|\n")
          .append("| admin (system:masters fast path) | ")
          .append(String.format(Locale.ROOT, "%.0f", masters))
          .append(" |\n| editor (RBAC: edit via RoleBinding) | ")
          .append(String.format(Locale.ROOT, "%.0f", rbac))
          .append(" |\n\nRBAC cost relative to the fast path: ")
          .append(String.format(Locale.ROOT, "%+.1f %%", (masters / rbac - 1) * 100))
          .append(" time per create (rounds alternate the two callers). The machine is shared (2")
          .append(
              " cores, other builds running): compare the rows of one run and expect run-to-run")
          .append(" noise of tens of percent.\n");
      admin.close();
      editor.close();
    }
  }

  private static KubernetesClient client(ControlPlane controlPlane, String user, String... groups) {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(controlPlane.componentKubeconfig(user, List.of(groups))))
        .build();
  }

  /** Creates {@code count} ConfigMaps with 32 in flight; returns creates per second. */
  private static double run(KubernetesClient client, String prefix, int count) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 32; w++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    client
                        .configMaps()
                        .inNamespace("bench")
                        .resource(
                            new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName(prefix + "-" + i)
                                .endMetadata()
                                .addToData("k", "v")
                                .build())
                        .create();
                  }
                  return null;
                }));
      }
      for (Future<?> worker : workers) {
        worker.get();
      }
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }
}
