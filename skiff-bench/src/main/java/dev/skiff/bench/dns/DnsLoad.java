package dev.skiff.bench.dns;

import dev.skiff.bench.BenchmarkReport;
import dev.skiff.dns.DnsOptions;
import dev.skiff.dns.DnsServer;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * UDP load against the cluster DNS server, dnsperf-style: an in-process API server with N ClusterIP
 * services, the DNS server watching it, and several sockets each keeping a window of queries in
 * flight (A queries for the services' names, answered from the response cache) for a bounded time
 * on loopback. The baseline, measured in the same run with the same load and threads, is a trivial
 * responder that copies each query into a fixed one-record answer: the ratio is the cost of our
 * parsing, lookup and answer on top of the kernel's UDP path. Also measured: how long a new Service
 * takes to become resolvable. Usage:
 *
 * <pre>
 * skiff-bench/run dev.skiff.bench.dns.DnsLoad [--services 1000] [--seconds 10] [--sockets 4]
 *     [--window 32] [--rounds 3] [--no-write]
 * </pre>
 */
public final class DnsLoad {
  private static final String NAMESPACE = "bench";
  private static final Duration WARM_UP = Duration.ofSeconds(2);

  private final int services;
  private final Duration duration;
  private final int sockets;
  private final int window;
  private final int rounds;

  DnsLoad(int services, Duration duration, int sockets, int window, int rounds) {
    this.rounds = rounds;
    this.services = services;
    this.duration = duration;
    this.sockets = sockets;
    this.window = window;
  }

  public static void main(String[] args) throws Exception {
    int services = 1000;
    int seconds = 10;
    int sockets = 4;
    int window = 32;
    int rounds = 3;
    boolean write = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--services" -> services = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--sockets" -> sockets = Integer.parseInt(args[++i]);
        case "--window" -> window = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--no-write" -> write = false;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (seconds * rounds > 180 || services > 20_000) {
      throw new IllegalArgumentException(
          "load is bounded: at most 180 s per target and 20000 services");
    }
    String report =
        new DnsLoad(services, Duration.ofSeconds(seconds), sockets, window, rounds)
            .run(String.join(" ", args));
    System.out.println(report);
    if (write) {
      BenchmarkReport.writeSection(BenchmarkReport.defaultFile(), "dns", report);
    }
    System.exit(0);
  }

  record Result(long queries, long errors, long lost, double seconds, long[] latencies) {
    double perSecond() {
      return queries / seconds;
    }

    double percentileMicros(double p) {
      if (latencies.length == 0) {
        return 0;
      }
      int index = (int) Math.ceil(p / 100.0 * latencies.length) - 1;
      return latencies[Math.max(0, Math.min(latencies.length - 1, index))] / 1e3;
    }
  }

  String run(String args) throws Exception {
    try (SkiffCluster cluster = SkiffCluster.memory().start()) {
      KubernetesClient client = cluster.client();
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .create();
      long createStart = System.nanoTime();
      for (int i = 0; i < services; i++) {
        client.services().inNamespace(NAMESPACE).resource(service("svc-" + i)).create();
      }
      double createSeconds = (System.nanoTime() - createStart) / 1e9;
      System.err.printf(Locale.ROOT, "created %d services in %.1f s%n", services, createSeconds);

      List<byte[]> queries = new ArrayList<>();
      for (int i = 0; i < services; i++) {
        queries.add(
            Message.newQuery(
                    Record.newRecord(
                        Name.fromString("svc-" + i + "." + NAMESPACE + ".svc.cluster.local."),
                        Type.A,
                        DClass.IN))
                .toWire());
      }

      List<Result> baselineRounds = new ArrayList<>();
      List<Result> dnsRounds = new ArrayList<>();
      long[] propagation;
      long startMillis;
      try (FixedAnswerResponder responder = FixedAnswerResponder.start();
          DnsServer server = new DnsServer(client, DnsOptions.forTests())) {
        long started = System.nanoTime();
        server.start();
        startMillis = (System.nanoTime() - started) / 1_000_000;
        run(responder.port(), queries, WARM_UP);
        run(server.port(), queries, WARM_UP);
        // alternate the targets so that load from elsewhere on the machine hits both alike
        for (int round = 0; round < rounds; round++) {
          baselineRounds.add(run(responder.port(), queries, duration));
          dnsRounds.add(run(server.port(), queries, duration));
          System.err.printf(
              Locale.ROOT,
              "round %d: baseline %.0f queries/s, skiff-dns %.0f queries/s%n",
              round + 1,
              baselineRounds.getLast().perSecond(),
              dnsRounds.getLast().perSecond());
        }
        propagation = propagation(client, server.port(), 20);
      }
      Result baseline = median(baselineRounds);
      Result dns = median(dnsRounds);
      return render(
          args, createSeconds, startMillis, baseline, dns, baselineRounds, dnsRounds, propagation);
    }
  }

  private static Result median(List<Result> rounds) {
    List<Result> sorted =
        rounds.stream().sorted(Comparator.comparingDouble(Result::perSecond)).toList();
    return sorted.get(sorted.size() / 2);
  }

  private static String perSecond(List<Result> rounds) {
    return String.join(
        ", ",
        rounds.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r.perSecond())).toList());
  }

  private static Service service(String name) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addNewPort()
        .withName("http")
        .withPort(80)
        .endPort()
        .endSpec()
        .build();
  }

  /** Nanoseconds from a Service's create call returning to its name answering, {@code n} times. */
  private long[] propagation(KubernetesClient client, int port, int n) throws IOException {
    long[] samples = new long[n];
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      socket.setSoTimeout(1000);
      DatagramPacket reply = new DatagramPacket(new byte[4096], 4096);
      for (int i = 0; i < n; i++) {
        String name = "new-" + i;
        byte[] query =
            Message.newQuery(
                    Record.newRecord(
                        Name.fromString(name + "." + NAMESPACE + ".svc.cluster.local."),
                        Type.A,
                        DClass.IN))
                .toWire();
        client.services().inNamespace(NAMESPACE).resource(service(name)).create();
        long created = System.nanoTime();
        while (true) {
          socket.send(new DatagramPacket(query, query.length));
          try {
            socket.receive(reply);
          } catch (SocketTimeoutException e) {
            continue;
          }
          byte[] data = reply.getData();
          if (reply.getLength() >= 12 && (data[3] & 0x0F) == 0 && (data[6] | data[7]) != 0) {
            samples[i] = System.nanoTime() - created;
            break;
          }
          if (System.nanoTime() - created > Duration.ofSeconds(30).toNanos()) {
            throw new IllegalStateException(name + " did not resolve within 30 s");
          }
          sleepQuietly(1);
        }
      }
    }
    Arrays.sort(samples);
    return samples;
  }

  /**
   * Drives {@code port} from {@link #sockets} sockets, each with {@link #window} queries in flight.
   */
  private Result run(int port, List<byte[]> queries, Duration length) throws Exception {
    InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    AtomicBoolean stop = new AtomicBoolean();
    List<Worker> workers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < sockets; i++) {
      Worker worker = new Worker(target, queries, i, stop);
      workers.add(worker);
      threads.add(Thread.ofPlatform().name("dns-load-" + i).start(worker));
    }
    long started = System.nanoTime();
    Thread.sleep(length.toMillis());
    stop.set(true);
    for (Thread thread : threads) {
      thread.join();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long queriesDone = 0;
    long errors = 0;
    long lost = 0;
    int samples = 0;
    for (Worker worker : workers) {
      if (worker.failure != null) {
        throw worker.failure;
      }
      queriesDone += worker.answered;
      errors += worker.errors;
      lost += worker.lost;
      samples += worker.sampleCount;
    }
    long[] latencies = new long[samples];
    int at = 0;
    for (Worker worker : workers) {
      System.arraycopy(worker.samples, 0, latencies, at, worker.sampleCount);
      at += worker.sampleCount;
    }
    Arrays.sort(latencies);
    return new Result(queriesDone, errors, lost, seconds, latencies);
  }

  private final class Worker implements Runnable {
    private final InetSocketAddress target;
    private final List<byte[]> queries;
    private final AtomicBoolean stop;
    private final long[] sentAt = new long[65536];
    private long[] samples = new long[1 << 16];
    private int sampleCount;
    private long answered;
    private long errors;
    private long lost;
    private int next;
    private Exception failure;

    Worker(InetSocketAddress target, List<byte[]> queries, int index, AtomicBoolean stop) {
      this.target = target;
      this.queries = queries;
      this.stop = stop;
      this.next = index * 7919;
    }

    @Override
    public void run() {
      try (DatagramSocket socket = new DatagramSocket()) {
        socket.connect(target);
        socket.setSoTimeout(200);
        byte[] in = new byte[4096];
        DatagramPacket reply = new DatagramPacket(in, in.length);
        byte[] out = new byte[512];
        DatagramPacket request = new DatagramPacket(out, out.length);
        for (int i = 0; i < window; i++) {
          send(socket, request);
        }
        while (!stop.get()) {
          try {
            reply.setLength(in.length);
            socket.receive(reply);
          } catch (SocketTimeoutException e) {
            lost += window;
            for (int i = 0; i < window; i++) {
              send(socket, request);
            }
            continue;
          }
          if (reply.getLength() < 12) {
            continue;
          }
          long now = System.nanoTime();
          int id = ((in[0] & 0xFF) << 8) | (in[1] & 0xFF);
          record(now - sentAt[id]);
          answered++;
          if ((in[3] & 0x0F) != 0 || (in[6] | in[7]) == 0) {
            errors++;
          }
          send(socket, request);
        }
      } catch (Exception e) {
        failure = e;
      }
    }

    private void send(DatagramSocket socket, DatagramPacket request) throws IOException {
      byte[] query = queries.get(next++ % queries.size());
      int id = next & 0xFFFF;
      byte[] out = request.getData();
      System.arraycopy(query, 0, out, 0, query.length);
      out[0] = (byte) (id >> 8);
      out[1] = (byte) id;
      request.setLength(query.length);
      sentAt[id] = System.nanoTime();
      socket.send(request);
    }

    private void record(long nanos) {
      if (sampleCount == samples.length) {
        samples = Arrays.copyOf(samples, samples.length * 2);
      }
      samples[sampleCount++] = nanos;
    }
  }

  private String render(
      String args,
      double createSeconds,
      long startMillis,
      Result baseline,
      Result dns,
      List<Result> baselineRounds,
      List<Result> dnsRounds,
      long[] propagation) {
    StringBuilder out = new StringBuilder();
    out.append("## Cluster DNS (skiff-dns): UDP queries/s\n\n");
    out.append("Command: `skiff-bench/run dev.skiff.bench.dns.DnsLoad")
        .append(args.isEmpty() ? "" : " " + args)
        .append("`\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "%d ClusterIP services in an in-process API server (memory store, created in %.1f s);"
                + " %d sockets x %d queries in flight, on loopback, load generator and server on the"
                + " same %d-core machine; after %d s warm-up each, %d rounds of %d s alternating"
                + " between the two targets, median round shown. Queries are A for the services'"
                + " names, cycling (answers come from the response cache).\n\n",
            services,
            createSeconds,
            sockets,
            window,
            Runtime.getRuntime().availableProcessors(),
            WARM_UP.toSeconds(),
            rounds,
            duration.toSeconds()));
    out.append(
        String.format(
            Locale.ROOT,
            "Rounds, queries/s: baseline %s; skiff-dns %s.\n\n",
            perSecond(baselineRounds),
            perSecond(dnsRounds)));
    out.append(
        String.format(
            Locale.ROOT,
            "System load average when the run ended: %.1f (other work on the machine shares the"
                + " cores; compare the two rows, measured back to back, rather than runs).\n\n",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    out.append("| target | queries/s | p50 | p99 | non-NOERROR or empty | lost (timeouts) |\n");
    out.append("|---|---:|---:|---:|---:|---:|\n");
    row(out, "baseline: fixed-answer UDP responder", baseline);
    row(out, "skiff-dns", dns);
    out.append(
        String.format(
            Locale.ROOT,
            "\nskiff-dns / baseline throughput: %.2f. Target: >= 50,000 queries/s.\n\n",
            dns.perSecond() / baseline.perSecond()));
    out.append(
        String.format(
            Locale.ROOT,
            "Start-up (informers synced, index of %d services built, sockets open): %d ms."
                + " A new Service resolvable after its create call returned (%d samples): p50"
                + " %.1f ms, max %.1f ms.\n",
            services,
            startMillis,
            propagation.length,
            propagation[propagation.length / 2] / 1e6,
            propagation[propagation.length - 1] / 1e6));
    return out.toString();
  }

  private static void row(StringBuilder out, String name, Result result) {
    out.append(
        String.format(
            Locale.ROOT,
            "| %s | %,.0f | %.0f µs | %.0f µs | %d | %d |\n",
            name,
            result.perSecond(),
            result.percentileMicros(50),
            result.percentileMicros(99),
            result.errors(),
            result.lost()));
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
