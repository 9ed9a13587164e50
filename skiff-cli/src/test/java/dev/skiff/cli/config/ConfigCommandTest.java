package dev.skiff.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code skiff config} against the real kubectl as the oracle: every scenario runs the same
 * commands with {@code skiff config} (in-process) and {@code kubectl config} on two copies of the
 * same files, and after each command asserts the same stdout, stderr and exit code, and the same
 * files byte for byte. Paths print as {dir}; kubectl's "kubectl config" hints read "skiff config".
 */
class ConfigCommandTest {
  private static final String SEED =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: dev
        cluster:
          server: https://dev.example.com:6443
          certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmRldgo=
      - name: prod
        cluster:
          server: https://prod.example.com:6443
          certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCnByb2QK
      users:
      - name: developer
        user:
          client-certificate-data: Y2VydAo=
          client-key-data: a2V5Cg==
      - name: admin
        user:
          token: s3cr3t
      contexts:
      - name: dev
        context:
          cluster: dev
          user: developer
          namespace: frontend
      - name: prod
        context:
          cluster: prod
          user: admin
      current-context: prod
      """;

  private static final String FIRST =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: shared
        cluster:
          server: https://a-shared
      - name: only-a
        cluster:
          server: https://only-a
      users:
      - name: u
        user:
          token: tok-a
      contexts:
      - name: ctx-shared
        context:
          cluster: shared
          user: u
      """;

  private static final String SECOND =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: shared
        cluster:
          server: https://b-shared
          insecure-skip-tls-verify: true
      - name: only-b
        cluster:
          server: https://only-b
      users:
      - name: u
        user:
          username: b
      contexts:
      - name: ctx-shared
        context:
          cluster: only-b
          user: u
          namespace: bns
      - name: ctx-b
        context:
          cluster: only-b
          user: u
      current-context: ctx-b
      preferences:
        colors: true
      """;

  private static final String ODD_VALUES =
      """
      clusters:
      - name: "123"
        cluster:
          server: "yes"
          tls-server-name: "foo: bar"
      - name: "a #b"
        cluster:
          server: "#x"
          proxy-url: " lead"
      users:
      - name: ap
        user:
          auth-provider:
            name: oidc
          exec:
            command: foo
            installHint: "a long install hint with many words that goes well beyond the eighty column limit of the emitter"
            interactiveMode: Never
          as-groups: [a, b]
          as-user-extra:
            k: [v]
      - name: ap2
        user:
          auth-provider:
            name: oidc
            config:
              client-secret: s
              id-token: t
          exec:
            command: foo
            args: []
            env: []
            provideClusterInfo: true
      contexts:
      - name: c
        context:
          cluster: "123"
          user: ap
          extensions:
          - name: x
            extension: {a: 1}
      extensions:
      - name: top
        extension:
          k: v
      unknown-field: 1
      """;

  private static final String RELATIVE_PATHS =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: local
        cluster:
          server: https://127.0.0.1:6443
          certificate-authority: certs/ca.crt
      users:
      - name: me
        user:
          client-certificate: certs/c.crt
          client-key: /elsewhere/c.key
      contexts:
      - name: local
        context:
          cluster: local
          user: me
      current-context: local
      """;

  private static final String YAML_CORNERS =
      """
      clusters:
      - name: c
        cluster:
          server: "line one\\nline two\\n"
          tls-server-name: "tab\\there"
          proxy-url: "ünïcödé"
          certificate-authority: "- x"
      contexts:
      - name: "null"
        context: {cluster: "0x1F", user: "1e3", namespace: "2001-12-14"}
      - name: "~"
        context: {cluster: "x #y", user: "x#y", namespace: "a: b"}
      - name: "@x"
        context: {cluster: "`x", user: "%x", namespace: "? x"}
      - name: "?x"
        context: {cluster: ": x", user: "ends:", namespace: "trailing "}
      - name: "Yes"
        context: {cluster: "1:20", user: "-1", namespace: ".5"}
      - name: "quote's"
        context: {cluster: "'single'", user: "\\"double\\"", namespace: "back\\\\slash"}
      users:
      - name: u
        user:
          auth-provider:
            name: p
            config:
              a10: "1"
              a2: "2"
              a_b: "3"
              aB: "4"
              "a-b": "5"
              "1": "6"
          exec:
            command: "no trailing newline\\nsecond"
            installHint: "'quoted' text with many many words that is long enough to be folded by the emitter: yes it is"
            args: ["multi\\n\\nline\\n\\n", "  leading"]
      """;

  /** One scenario: files to start from, KUBECONFIG (null: unset), and commands run in order. */
  record Scenario(
      String name, Map<String, String> files, String kubeconfigEnv, List<List<String>> commands) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Scenario> scenarios() {
    return Stream.of(
        new Scenario(
            "seed example: one file with two clusters, two users, two contexts; switching",
            Map.of("config", SEED),
            null,
            commands(
                    "get-contexts",
                    "current-context",
                    "use-context dev",
                    "get-contexts",
                    "current-context",
                    "view",
                    "view --minify",
                    "view --minify --raw",
                    "view --raw",
                    "view -o json",
                    "view -o jsonpath={.contexts[*].name}",
                    "view -o jsonpath={range .clusters[*]}{.name}{\"\\t\"}{.cluster.server}{\"\\n\"}{end}",
                    "view --raw -o jsonpath={.users[?(@.name==\"admin\")].user.token}",
                    "view -o jsonpath={.clusters[0]}",
                    "view -o jsonpath={.missing}",
                    "view -o jsonpath={.clusters[0,1].name}",
                    "view -o jsonpath={.contexts[0].context['cluster','user']}",
                    "view -o jsonpath={@.kind}",
                    "get-contexts -o name",
                    "get-contexts -o=name",
                    "get-contexts --output name",
                    "use dev",
                    "get-contexts --no-headers",
                    "get-contexts prod",
                    "get-contexts nope",
                    "get-contexts -o json",
                    "get-clusters",
                    "get-users",
                    "use-context nope",
                    "use-context prod",
                    "view --minify --context dev",
                    "view -o wat",
                    "view --merge=false",
                    "view extra",
                    "view --foo",
                    "use-context dev --foo=1",
                    "get-contexts -x")
                .stream()
                .map(ConfigCommandTest::withExplicitFile)
                .toList()),
        new Scenario(
            "KUBECONFIG list of two files with overlapping entries",
            Map.of("a.yaml", FIRST, "b.yaml", SECOND),
            "{dir}/a.yaml:{dir}/b.yaml",
            commands(
                "view",
                "get-contexts",
                "current-context",
                "get-clusters",
                "use-context ctx-shared",
                "set-cluster brand-new --server=https://new",
                "set-context ctx-b --namespace=x",
                "set-credentials u --token=rotated",
                "delete-context ctx-shared",
                "get-contexts",
                "delete-user u",
                "view --raw",
                "get-users",
                "rename-context ctx-b renamed",
                "delete-cluster shared",
                "view --merge=false",
                "view",
                "set-cluster x --server",
                "get-contexts -o")),
        new Scenario(
            "KUBECONFIG list of files that do not exist: new entries go to the last",
            Map.of(),
            "{dir}/x.yaml:{dir}/y.yaml",
            commands(
                "get-contexts",
                "current-context",
                "view",
                "set-cluster c --server=https://c.example",
                "set-credentials u --token=t",
                "set-context k --cluster=c --user=u",
                "use-context k",
                "view",
                "get-contexts")),
        new Scenario(
            "the default ~/.kube/config",
            Map.of(),
            null,
            commands(
                "view",
                "set-context --current --namespace=x",
                "set-context local --cluster=local --namespace=dev",
                "use-context local",
                "set-context --current --namespace=prod",
                "get-contexts",
                "delete-context local",
                "view")),
        new Scenario(
            "editing clusters, users and contexts",
            Map.of("certs/ca.crt", "CA PEM\n", "certs/c.crt", "CERT\n", "certs/c.key", "KEY\n"),
            null,
            commands(
                    "set-cluster c1 --server=https://c1 --certificate-authority={dir}/certs/ca.crt",
                    "set-cluster c2 --server=https://c2 --certificate-authority={dir}/certs/ca.crt"
                        + " --embed-certs",
                    "set-cluster c3 --certificate-authority=/etc/hostname",
                    "set-cluster c1 --insecure-skip-tls-verify",
                    "set-cluster c1 --insecure-skip-tls-verify=false --tls-server-name=api",
                    "set-cluster c4 --certificate-authority={dir}/certs/ca.crt"
                        + " --insecure-skip-tls-verify",
                    "set-cluster c4 --embed-certs",
                    "set-cluster c4 --embed-certs --certificate-authority={dir}/missing.crt",
                    "set-cluster",
                    "set-credentials u1 --client-certificate={dir}/certs/c.crt"
                        + " --client-key={dir}/certs/c.key",
                    "set-credentials u2 --client-certificate={dir}/certs/c.crt"
                        + " --client-key={dir}/certs/c.key --embed-certs",
                    "set-credentials u3 --username=a --password=b",
                    "set-credentials u3 --token=t",
                    "set-credentials u4 --token=t --username=x",
                    "set-credentials u5 --exec-command=/usr/bin/foo --exec-arg=a,b"
                        + " --exec-env=K=V --exec-api-version=client.authentication.k8s.io/v1",
                    "set-credentials u5 --exec-env=K- --exec-provide-cluster-info",
                    "set-credentials u6 --auth-provider=oidc --auth-provider-arg=client-id=foo",
                    "set-credentials u6 --auth-provider-arg=client-id-",
                    "set-credentials u7 --embed-certs",
                    "set-context --current --namespace=x",
                    "set-context ctx --cluster=c1 --user=u3",
                    "set-context ctx --namespace=team",
                    "set-context ctx --current",
                    "use-context ctx",
                    "set-context --current --namespace=other",
                    "view",
                    "view --flatten",
                    "view -o json",
                    "rename-context ctx ctx2",
                    "rename-context nope x",
                    "rename-context ctx2",
                    "set-context other",
                    "rename-context ctx2 other",
                    "get-contexts",
                    "delete-cluster c3",
                    "delete-cluster nope",
                    "delete-user u6",
                    "delete-user nope",
                    "delete-context nope",
                    "delete-context ctx2",
                    "current-context",
                    "view --minify",
                    "view")
                .stream()
                .map(ConfigCommandTest::withExplicitFile)
                .toList()),
        new Scenario(
            "set and unset single properties",
            Map.of("config", SEED),
            null,
            commands(
                    "set clusters.dev.server https://changed",
                    "set clusters.new.example.com.server https://dotted",
                    "set contexts.dev.namespace ns",
                    "set current-context dev",
                    "set users.admin.token zzz",
                    "set clusters.dev.insecure-skip-tls-verify true",
                    "set clusters.dev.insecure-skip-tls-verify maybe",
                    "set clusters.prod.certificate-authority-data aGVsbG8=",
                    "set clusters.prod.certificate-authority-data hello --set-raw-bytes",
                    "set clusters.prod.certificate-authority-data !!",
                    "set preferences.colors true",
                    "set x y",
                    "set clusters.dev.server.more x",
                    "set users.admin.exec.command x",
                    "set-credentials sso --auth-provider=oidc --auth-provider-arg=client-id=foo",
                    "set users.sso.auth-provider.name gcp",
                    "set users.sso.auth-provider.config.client-id bar",
                    "unset users.sso.auth-provider",
                    "unset users.sso.as-groups",
                    "set users.sso.act-as someone",
                    "set users.sso.act-as-groups x",
                    "view --raw",
                    "unset users.sso.act-as",
                    "unset users.sso.act-as-user-extra",
                    "unset contexts.dev.namespace",
                    "unset users.developer",
                    "unset users.nobody",
                    "unset clusters.nope.server",
                    "unset current-context",
                    "current-context",
                    "view --raw")
                .stream()
                .map(ConfigCommandTest::withExplicitFile)
                .toList()),
        new Scenario(
            "quoting, folding and fields kubectl keeps or drops",
            Map.of("odd.yaml", ODD_VALUES),
            "{dir}/odd.yaml",
            commands(
                "view",
                "view -o json",
                "view -o jsonpath={.users[0].user.exec.args}",
                "view -o jsonpath={.users[*].user.auth-provider.config}",
                "view -o jsonpath={.clusters[-1:].name}",
                "view -o jsonpath={.users[?(@.user.exec.provideClusterInfo)].name}",
                "view -o jsonpath={.clusters[?(@.name!=\"123\")].cluster.server}",
                "view -o jsonpath={.clusters[*]['name']}",
                "view -o jsonpath={.clusters[5]}",
                "view -o jsonpath={.bad",
                "set-cluster \"123\" --server=https://changed",
                "view")),
        new Scenario(
            "YAML corner cases: quoting, escapes, block scalars, key order",
            Map.of(
                "corners.yaml",
                YAML_CORNERS,
                "bools.yaml",
                "clusters:\n- name: anchored\n  cluster: &c\n    insecure-skip-tls-verify: yes\n    disable-compression: on\n    server: https://x\n- name: copy\n  cluster: *c\ncurrent-context: ~\n---\nclusters: []\n"),
            "{dir}/corners.yaml",
            commands(
                "view",
                "view -o json",
                "view -o jsonpath={.users[0].user.auth-provider.config}",
                "set-context \"null\" --namespace=changed",
                "view --kubeconfig={dir}/bools.yaml",
                "view -o json --kubeconfig={dir}/bools.yaml",
                "view")),
        new Scenario(
            "KUBECONFIG list: current-context, preferences, locks and odd flag values",
            Map.of("a.yaml", FIRST, "b.yaml", SECOND),
            "{dir}/b.yaml:{dir}/a.yaml",
            commands(
                "unset current-context",
                "current-context",
                "view",
                "set current-context ctx-shared",
                "set preferences.colors false",
                "unset preferences.colors",
                "set-context ghost --cluster=nope --user=nobody",
                "use-context ghost",
                "view --minify",
                "set-context ghost --cluster=shared",
                "view --minify",
                "set-credentials u --token=",
                "set-credentials u --username=",
                "set-credentials x --exec-command=a --exec-interactive-mode=Sometimes",
                "set-credentials y --exec-interactive-mode=Always --exec-provide-cluster-info",
                "set-cluster shared --certificate-authority={dir}/a.yaml --embed-certs=false",
                "set-cluster shared --insecure-skip-tls-verify=maybe",
                "get-contexts -o name --no-headers",
                "view -o jsonpath={.preferences}")),
        new Scenario(
            "a kubeconfig lock file held by someone else",
            Map.of("config", SEED, "config.lock", ""),
            null,
            commands("use-context dev", "set-cluster x --server=https://x", "get-contexts").stream()
                .map(ConfigCommandTest::withExplicitFile)
                .toList()),
        new Scenario(
            "malformed files: kubectl's errors",
            Map.of(
                "num.yaml",
                "clusters:\n- name: a\n  cluster:\n    server: 123\n",
                "obj.yaml",
                "clusters: {}\n",
                "list.yaml",
                "- a\n",
                "str.yaml",
                "clusters:\n- name: a\n  cluster:\n    insecure-skip-tls-verify: \"true\"\n",
                "b64.yaml",
                "clusters:\n- name: a\n  cluster:\n    certificate-authority-data: \"!!\"\n",
                "cc.yaml",
                "current-context: 5\n",
                "ver.yaml",
                "apiVersion: v2\nkind: Config\n",
                "numname.yaml",
                "clusters:\n- name: 5\n  cluster: {}\n",
                "yes.yaml",
                "clusters:\n- name: a\n  cluster:\n    insecure-skip-tls-verify: yes\n    disable-compression: on\n    server: 0x10\n",
                "args.yaml",
                "users:\n- name: x\n  user:\n    exec:\n      command: a\n      args: a\n"),
            "{dir}/num.yaml:{dir}/obj.yaml",
            commands(
                "view",
                "get-contexts",
                "view --kubeconfig={dir}/num.yaml",
                "view --kubeconfig={dir}/obj.yaml",
                "view --kubeconfig={dir}/list.yaml",
                "view --kubeconfig={dir}/str.yaml",
                "view --kubeconfig={dir}/b64.yaml",
                "view --kubeconfig={dir}/cc.yaml",
                "view --kubeconfig={dir}/ver.yaml",
                "view --kubeconfig={dir}/numname.yaml",
                "view --kubeconfig={dir}/args.yaml",
                "view --kubeconfig={dir}/yes.yaml",
                "set-cluster x --server=https://x --kubeconfig={dir}/num.yaml",
                "get-contexts a b --kubeconfig={dir}/missing.yaml")),
        new Scenario(
            "relative paths: resolved against the file that holds them, new paths made relative",
            Map.of(
                "sub/f.yaml",
                RELATIVE_PATHS,
                "sub/certs/ca.crt",
                "CA\n",
                "sub/certs/c.crt",
                "CERT\n",
                "other.yaml",
                FIRST),
            "{dir}/sub/f.yaml:{dir}/other.yaml",
            commands(
                "view",
                "view --flatten --minify",
                "view --flatten",
                "set-credentials me --client-key={dir}/sub/certs/c.key",
                "set-credentials u --client-certificate={dir}/sub/certs/c.crt",
                "set-credentials fresh --token=x --exec-command=./plugin"
                    + " \"--exec-arg=a-long-argument-with spaces that runs well past the"
                    + " eighty-column limit of the emitter\" --exec-interactive-mode=Never",
                "set-cluster local --certificate-authority={dir}/sub/certs/ca.crt",
                "--kubeconfig={dir}/other.yaml view",
                "--kubeconfig={dir}/other.yaml use-context ctx-shared",
                "view")));
  }

  private static List<List<String>> commands(String... lines) {
    List<List<String>> commands = new ArrayList<>();
    for (String line : lines) {
      commands.add(words(line));
    }
    return commands;
  }

  private static List<String> withExplicitFile(List<String> command) {
    List<String> withFile = new ArrayList<>(command);
    withFile.add("--kubeconfig={dir}/config");
    return withFile;
  }

  /**
   * Splits on spaces outside double quotes and braces; quotes stay inside an argument unless they
   * wrap all of it.
   */
  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    int braces = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        word.append(c);
      } else if (c == '{' || c == '}') {
        braces += c == '{' ? 1 : -1;
        word.append(c);
      } else if (c == ' ' && !quoted && braces == 0) {
        words.add(unwrap(word.toString()));
        word.setLength(0);
      } else {
        word.append(c);
      }
    }
    words.add(unwrap(word.toString()));
    return words;
  }

  private static String unwrap(String word) {
    if (word.length() >= 2 && word.startsWith("\"") && word.endsWith("\"")) {
      return word.substring(1, word.length() - 1);
    }
    return word;
  }

  record Outcome(int exit, String out, String err) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void behavesLikeKubectlConfig(Scenario scenario, @TempDir Path skiffDir, @TempDir Path kubectlDir)
      throws Exception {
    for (Path dir : List.of(skiffDir, kubectlDir)) {
      for (Map.Entry<String, String> file : scenario.files().entrySet()) {
        Path path = dir.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue());
      }
    }
    for (List<String> command : scenario.commands()) {
      Outcome skiff = skiff(skiffDir, scenario.kubeconfigEnv(), command);
      Outcome kubectl = kubectl(kubectlDir, scenario.kubeconfigEnv(), command);
      String description = "skiff config " + String.join(" ", command);
      assertThat(skiff.exit()).as(description + " (exit code)").isEqualTo(kubectl.exit());
      assertThat(skiff.err()).as(description + " (stderr)").isEqualTo(kubectl.err());
      if (command.get(0).equals("get-clusters")) {
        // kubectl 1.32 lists clusters in Go's random map order; skiff sorts them
        assertThat(skiff.out().lines().sorted().toList())
            .as(description + " (stdout)")
            .isEqualTo(kubectl.out().lines().sorted().toList());
      } else if (!isUsageError(kubectl)) {
        assertThat(skiff.out()).as(description + " (stdout)").isEqualTo(kubectl.out());
      }
      assertThat(files(skiffDir)).as(description + " (files)").isEqualTo(files(kubectlDir));
    }
  }

  /** kubectl prints its own help text on wrong arguments; ours is picocli's. */
  private static boolean isUsageError(Outcome kubectl) {
    return kubectl.out().contains("Usage:\n  kubectl config");
  }

  @Test
  void helpListsEveryConfigSubcommand() {
    StringWriter out = new StringWriter();
    int exit =
        Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), Map.of(), "--help");
    assertThat(exit).isZero();
    assertThat(out.toString()).contains("config").contains("kubeconfig");

    for (String[] args : List.of(new String[] {"config", "--help"}, new String[] {"config"})) {
      StringWriter configOut = new StringWriter();
      exit =
          Main.run(new PrintWriter(configOut), new PrintWriter(new StringWriter()), Map.of(), args);
      assertThat(exit).isZero();
      assertThat(configOut.toString())
          .contains(
              "current-context",
              "delete-cluster",
              "delete-context",
              "delete-user",
              "get-clusters",
              "get-contexts",
              "get-users",
              "rename-context",
              "set-cluster",
              "set-context",
              "set-credentials",
              "unset",
              "use-context",
              "view",
              "--kubeconfig");
    }
  }

  private static Outcome skiff(Path dir, String kubeconfigEnv, List<String> command) {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("HOME", dir.resolve("home").toString());
    if (kubeconfigEnv != null) {
      environment.put("KUBECONFIG", kubeconfigEnv.replace("{dir}", dir.toString()));
    }
    List<String> args = new ArrayList<>();
    args.add("config");
    command.forEach(word -> args.add(word.replace("{dir}", dir.toString())));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        Main.run(
            new PrintWriter(out), new PrintWriter(err), environment, args.toArray(String[]::new));
    return new Outcome(exit, normalize(out.toString(), dir), normalize(err.toString(), dir));
  }

  private static Outcome kubectl(Path dir, String kubeconfigEnv, List<String> command)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("kubectl", "config"));
    command.forEach(word -> args.add(word.replace("{dir}", dir.toString())));
    ProcessBuilder builder = new ProcessBuilder(args);
    builder.environment().remove("KUBECONFIG");
    builder.environment().put("HOME", dir.resolve("home").toString());
    if (kubeconfigEnv != null) {
      builder.environment().put("KUBECONFIG", kubeconfigEnv.replace("{dir}", dir.toString()));
    }
    Path stdout = Files.createTempFile("kubectl", ".out");
    Path stderr = Files.createTempFile("kubectl", ".err");
    try {
      Process process =
          builder
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl finished").isTrue();
      return new Outcome(
          process.exitValue(),
          normalize(Files.readString(stdout), dir),
          normalize(Files.readString(stderr), dir).replace("kubectl config ", "skiff config "));
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }

  private static String normalize(String text, Path dir) {
    return text.replace(dir.toString(), "{dir}");
  }

  /**
   * Every file under {@code dir} by relative path: its mode, then its text ({dir} for the folder).
   */
  private static Map<String, String> files(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(
            dir.relativize(path).toString(),
            PosixFilePermissions.toString(Files.getPosixFilePermissions(path))
                + "\n"
                + normalize(Files.readString(path, StandardCharsets.UTF_8), dir));
      }
    }
    return files;
  }
}
