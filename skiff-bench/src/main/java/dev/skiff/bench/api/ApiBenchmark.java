package dev.skiff.bench.api;

import dev.skiff.api.Json;
import dev.skiff.bench.BenchmarkReport;
import dev.skiff.bench.Latencies;
import dev.skiff.testing.SkiffServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The API server's load benchmark: pod create / get / list / watch delivery over HTTP/2 from
 * concurrent clients against a real {@code skiff server} process, on each datastore, with GET
 * /version as the transport-only baseline measured in the same run; plus time to ready and RSS with
 * the pods stored. Usage:
 *
 * <pre>
 * skiff-bench/run dev.skiff.bench.api.ApiBenchmark [--pods 10000] [--clients 32]
 *     [--datastores sqlite,etcd] [--no-write]
 * </pre>
 */
public final class ApiBenchmark {
  private final int pods;
  private final int clients;

  ApiBenchmark(int pods, int clients) {
    this.pods = pods;
    this.clients = clients;
  }

  public static void main(String[] args) throws Exception {
    int pods = 10_000;
    int clients = 32;
    List<String> datastores = List.of("sqlite", "etcd");
    boolean write = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--datastores" -> datastores = List.of(args[++i].split(","));
        case "--no-write" -> write = false;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    ApiBenchmark benchmark = new ApiBenchmark(pods, clients);
    List<Result> results = new ArrayList<>();
    for (String datastore : datastores) {
      results.add(benchmark.run(datastore));
    }
    String report = render(results, String.join(" ", args), pods, clients);
    System.out.println(report);
    if (write) {
      BenchmarkReport.writeSection(BenchmarkReport.defaultFile(), "api", report);
    }
  }

  record Rate(double perSecond, double p50, double p99) {}

  record Result(
      String datastore,
      double readyMillis,
      Rate version,
      Rate create,
      Rate get,
      Rate list,
      Rate watch,
      long rssMegabytes) {}

  Result run(String datastore) throws Exception {
    Path temp = Files.createTempDirectory("skiff-bench-");
    EtcdProcess etcd = datastore.equals("etcd") ? EtcdProcess.start(temp.resolve("etcd")) : null;
    try {
      // the API server alone: an in-process scheduler would add a status write and an event per
      // (unschedulable) pod, which is the scheduler's cost, measured by the scale harness
      List<String> flags =
          new ArrayList<>(
              List.of(
                  "--disable-scheduler",
                  "--disable-controller-manager",
                  // no controller creates default service accounts for the pods
                  "--disable-admission-plugins=ServiceAccount"));
      if (etcd != null) {
        flags.addAll(List.of("--datastore-endpoint", etcd.endpoint()));
      } else if (datastore.equals("memory")) {
        flags.addAll(List.of("--datastore-endpoint", "memory://"));
      }
      long start = System.nanoTime();
      try (SkiffServerProcess server =
          SkiffServerProcess.start(temp.resolve("data"), flags.toArray(String[]::new))) {
        double readyMillis = (System.nanoTime() - start) / 1e6;
        AdminHttpClient http = new AdminHttpClient(server.kubeconfig());
        for (String ns : List.of("bench", "small", "watch")) {
          check(http.send("POST", "/api/v1/namespaces", namespace(ns)), 201);
        }
        warmUp(http);
        Rate version = measure(pods, i -> check(http.send("GET", "/version", null), 200));
        Rate create =
            measure(
                pods,
                i -> check(http.send("POST", "/api/v1/namespaces/bench/pods", pod("p-" + i)), 201));
        Rate get =
            measure(
                pods,
                i ->
                    check(
                        http.send(
                            "GET",
                            "/api/v1/namespaces/bench/pods/p-"
                                + ThreadLocalRandom.current().nextInt(pods),
                            null),
                        200));
        for (int i = 0; i < 100; i++) {
          check(http.send("POST", "/api/v1/namespaces/small/pods", pod("s-" + i)), 201);
        }
        Rate list =
            measure(
                Math.max(100, pods / 10),
                i -> check(http.send("GET", "/api/v1/namespaces/small/pods", null), 200));
        Rate watch = measureWatch(http, Math.max(100, pods / 5), 8);
        long rss = rssMegabytes(server.pid());
        return new Result(datastore, readyMillis, version, create, get, list, watch, rss);
      }
    } finally {
      if (etcd != null) {
        etcd.close();
      }
      deleteRecursively(temp);
    }
  }

  private void warmUp(AdminHttpClient http) {
    measure(2_000, i -> check(http.send("GET", "/version", null), 200));
    measure(
        1_000,
        i -> check(http.send("POST", "/api/v1/namespaces/bench/pods", pod("warm-" + i)), 201));
    measure(
        1_000,
        i -> check(http.send("DELETE", "/api/v1/namespaces/bench/pods/warm-" + i, null), 200));
  }

  /** Runs {@code count} operations over {@code clients} concurrent callers. */
  private Rate measure(int count, IntConsumer operation) {
    Latencies latencies = new Latencies();
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        workers.submit(
            () -> {
              for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                long t0 = System.nanoTime();
                operation.accept(i);
                latencies.record(System.nanoTime() - t0);
              }
            });
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Rate(
        count / seconds, latencies.percentileMillis(50), latencies.percentileMillis(99));
  }

  /** Creates pods while {@code watchers} watches run; latency = create sent -> event received. */
  private Rate measureWatch(AdminHttpClient http, int count, int watchers) throws Exception {
    String rv =
        Json.MAPPER
            .readTree(http.send("GET", "/api/v1/namespaces/watch/pods", null).body())
            .path("metadata")
            .path("resourceVersion")
            .asString();
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Latencies latencies = new Latencies();
    CountDownLatch delivered = new CountDownLatch(count * watchers);
    List<java.util.concurrent.CompletableFuture<?>> streams = new ArrayList<>();
    for (int w = 0; w < watchers; w++) {
      HttpRequest request =
          HttpRequest.newBuilder(
                  http.uri("/api/v1/namespaces/watch/pods?watch=true&resourceVersion=" + rv))
              .header("Accept", "application/json")
              .build();
      streams.add(
          http.http()
              .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
              .thenAccept(
                  response -> {
                    try (Stream<String> lines = response.body()) {
                      lines.forEach(
                          line -> {
                            JsonNode event = Json.MAPPER.readTree(line);
                            String name =
                                event.path("object").path("metadata").path("name").asString();
                            Long sent = sentAt.get(name);
                            if (sent != null && "ADDED".equals(event.path("type").asString())) {
                              latencies.record(System.nanoTime() - sent);
                              delivered.countDown();
                            }
                          });
                    }
                  }));
    }
    Thread.sleep(500);
    long start = System.nanoTime();
    measure(
        count,
        i -> {
          String name = "w-" + i;
          sentAt.put(name, System.nanoTime());
          check(http.send("POST", "/api/v1/namespaces/watch/pods", pod(name)), 201);
        });
    boolean all = delivered.await(60, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    streams.forEach(s -> s.cancel(true));
    if (!all) {
      throw new IllegalStateException(
          "watch delivered only " + latencies.count() + " of " + count * watchers + " events");
    }
    return new Rate(
        latencies.count() / seconds,
        latencies.percentileMillis(50),
        latencies.percentileMillis(99));
  }

  private static void check(HttpResponse<byte[]> response, int expected) {
    if (response.statusCode() != expected) {
      throw new IllegalStateException(
          "expected HTTP "
              + expected
              + ", got "
              + response.statusCode()
              + ": "
              + new String(response.body(), StandardCharsets.UTF_8));
    }
  }

  private static byte[] namespace(String name) {
    return ("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
            + name
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A pod of the size a small Deployment creates. */
  static byte[] pod(String name) {
    return ("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"bench",\
        "pod-template-hash":"5d4f8c7b9"}},"spec":{"containers":[{"name":"app",\
        "image":"registry.local/app:1.0","ports":[{"containerPort":8080,"name":"http"}],\
        "resources":{"requests":{"cpu":"100m","memory":"64Mi"}},\
        "env":[{"name":"MODE","value":"bench"}]}]}}"""
            .formatted(name))
        .getBytes(StandardCharsets.UTF_8);
  }

  static long rssMegabytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  static String render(List<Result> results, String args, int pods, int clients) {
    StringBuilder out = new StringBuilder();
    out.append("## API server: pods over HTTP/2 (issue 3)\n\n");
    out.append("Command: `skiff-bench/run dev.skiff.bench.api.ApiBenchmark")
        .append(args.isEmpty() ? "" : " " + args)
        .append("`  \n");
    out.append(
        String.format(
            Locale.ROOT,
            "%d pods, %d concurrent clients on one HTTP/2 connection, %d cores, measured %s."
                + " The baseline is GET /version in the same run (transport only, no storage);"
                + " ratio = operation rate / baseline rate.%n%n",
            pods,
            clients,
            Runtime.getRuntime().availableProcessors(),
            java.time.LocalDate.now()));
    out.append(
        "| datastore | operation | ops/s | p50 ms | p99 ms | ratio to baseline |\n"
            + "|---|---|---:|---:|---:|---:|\n");
    for (Result r : results) {
      row(out, r.datastore(), "GET /version (baseline)", r.version(), r.version());
      row(out, r.datastore(), "create pod", r.create(), r.version());
      row(out, r.datastore(), "get pod", r.get(), r.version());
      row(out, r.datastore(), "list 100 pods", r.list(), r.version());
      row(out, r.datastore(), "watch events delivered (8 watchers)", r.watch(), r.version());
    }
    out.append("\n| datastore | JVM start to ready (ms) | RSS with ")
        .append(pods)
        .append("+ pods stored (MB) |\n|---|---:|---:|\n");
    for (Result r : results) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %d |%n",
              r.datastore(),
              r.readyMillis(),
              r.rssMegabytes()));
    }
    return out.toString();
  }

  private static void row(StringBuilder out, String store, String op, Rate rate, Rate baseline) {
    out.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %.0f | %.2f | %.2f | %.2f |%n",
            store,
            op,
            rate.perSecond(),
            rate.p50(),
            rate.p99(),
            rate.perSecond() / baseline.perSecond()));
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
