package dev.skiff.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster DNS server: an API client that watches Services and EndpointSlices with informers,
 * rebuilds its {@link RecordIndex} on every change (changes arriving during a rebuild are folded
 * into the next one), and answers over UDP and TCP on one port.
 *
 * <pre>{@code
 * try (DnsServer dns = new DnsServer(client, DnsOptions.forTests())) {
 *   dns.start();
 *   int port = dns.port();
 * }
 * }</pre>
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

  /** Platform threads receiving UDP; answers are cheap, so one per core is enough. */
  private static final int UDP_WORKERS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private static final Duration TCP_IDLE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final DnsOptions options;
  private final InstantSource clock;
  private final AtomicBoolean rebuildPending = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

  private ExecutorService rebuilder;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<EndpointSlice> slices;
  private QueryHandler handler;
  private DatagramChannel udp;
  private ServerSocket tcp;
  private volatile boolean closed;

  public DnsServer(KubernetesClient client, DnsOptions options) {
    this(client, options, InstantSource.system());
  }

  DnsServer(KubernetesClient client, DnsOptions options, InstantSource clock) {
    this.client = client;
    this.options = options;
    this.clock = clock;
  }

  /**
   * Lists Services and EndpointSlices, builds the first index, then opens the sockets: the server
   * never answers from an unsynced view.
   */
  public synchronized void start() {
    if (handler != null) {
      throw new IllegalStateException("already started");
    }
    rebuilder =
        Executors.newSingleThreadExecutor(Thread.ofPlatform().name("dns-index").daemon().factory());
    UpstreamForwarder forwarder =
        options.upstreams().isEmpty()
            ? null
            : new UpstreamForwarder(options.upstreams(), UPSTREAM_TIMEOUT);
    handler =
        new QueryHandler(
            RecordIndex.build(options.clusterDomain(), options.ttl(), 0, List.of(), List.of()),
            forwarder);
    services = client.services().inAnyNamespace().inform(new Changes<>(), 0);
    slices = client.discovery().v1().endpointSlices().inAnyNamespace().inform(new Changes<>(), 0);
    try {
      rebuilder.submit(this::rebuild).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the DNS index", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("building the DNS index failed", e.getCause());
    }
    bind();
    for (int i = 0; i < UDP_WORKERS; i++) {
      threads.add(Thread.ofPlatform().name("dns-udp-" + i).daemon().start(this::serveUdp));
    }
    threads.add(Thread.ofVirtual().name("dns-tcp-accept").start(this::acceptTcp));
    log.info(
        "event=dns_started address={} port={} zone={} upstreams={}",
        options.listenAddress().getHostAddress(),
        port(),
        options.clusterDomain(),
        options.upstreams());
  }

  /** The port serving UDP and TCP (the chosen one when the options asked for 0). */
  public int port() {
    return tcp.getLocalPort();
  }

  /** The index answering queries now. */
  RecordIndex index() {
    return handler.index();
  }

  private void requestRebuild() {
    if (!closed && rebuildPending.compareAndSet(false, true)) {
      rebuilder.execute(this::rebuild);
    }
  }

  private void rebuild() {
    rebuildPending.set(false);
    if (services == null || slices == null) {
      return;
    }
    long started = System.nanoTime();
    List<Service> serviceList = services.getStore().list();
    RecordIndex index =
        RecordIndex.build(
            options.clusterDomain(),
            options.ttl(),
            clock.instant().getEpochSecond(),
            serviceList,
            slices.getStore().list());
    handler.setIndex(index);
    log.debug(
        "event=dns_index_rebuilt services={} millis={}",
        serviceList.size(),
        (System.nanoTime() - started) / 1_000_000);
  }

  private void bind() {
    for (int attempt = 0; ; attempt++) {
      DatagramChannel channel = null;
      try {
        channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(options.listenAddress(), options.port()));
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        try {
          server.bind(new InetSocketAddress(options.listenAddress(), port), 128);
        } catch (IOException e) {
          server.close();
          throw e;
        }
        udp = channel;
        tcp = server;
        return;
      } catch (BindException e) {
        closeQuietly(channel);
        // a free UDP port whose TCP twin is taken: with port 0, try another one
        if (options.port() != 0 || attempt >= 10) {
          throw new UncheckedIOException(
              "cannot bind " + options.listenAddress().getHostAddress() + ":" + options.port(), e);
        }
      } catch (IOException e) {
        closeQuietly(channel);
        throw new UncheckedIOException(e);
      }
    }
  }

  private void serveUdp() {
    ByteBuffer buffer = ByteBuffer.allocate(65535);
    while (!closed) {
      try {
        buffer.clear();
        SocketAddress client = udp.receive(buffer);
        byte[] response =
            handler.handle(
                buffer.array(), buffer.position(), false, later -> sendUdp(later, client));
        if (response != null) {
          udp.send(ByteBuffer.wrap(response), client);
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // one client's unreachable port must not stop the server
        log.debug("event=dns_udp_error error={}", e.toString());
      }
    }
  }

  private void sendUdp(byte[] response, SocketAddress client) {
    try {
      udp.send(ByteBuffer.wrap(response), client);
    } catch (IOException e) {
      log.debug("event=dns_udp_error error={}", e.toString());
    }
  }

  private void acceptTcp() {
    while (!closed) {
      try {
        Socket socket = tcp.accept();
        connections.add(socket);
        Thread.ofVirtual().name("dns-tcp").start(() -> serveTcp(socket));
      } catch (IOException e) {
        if (!closed) {
          log.warn("event=dns_tcp_accept_failed error={}", e.toString());
        }
      }
    }
  }

  private void serveTcp(Socket socket) {
    try (socket) {
      socket.setSoTimeout((int) TCP_IDLE_TIMEOUT.toMillis());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
      while (!closed) {
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        byte[] response =
            handler.handle(query, query.length, true, later -> writeTcp(out, later, socket));
        if (response != null) {
          writeTcp(out, response, socket);
        }
      }
    } catch (EOFException | SocketTimeoutException e) {
      // the client is done, or idle for too long
    } catch (IOException e) {
      log.debug("event=dns_tcp_error error={}", e.toString());
    } finally {
      connections.remove(socket);
    }
  }

  private static void writeTcp(DataOutputStream out, byte[] response, Socket socket) {
    synchronized (out) {
      try {
        out.writeShort(response.length);
        out.write(response);
        out.flush();
      } catch (IOException e) {
        closeQuietly(socket);
      }
    }
  }

  /** Stops the informers and closes the sockets; in-flight answers are abandoned. */
  @Override
  public synchronized void close() {
    closed = true;
    if (services != null) {
      services.close();
    }
    if (slices != null) {
      slices.close();
    }
    closeQuietly(udp);
    closeQuietly(tcp);
    connections.forEach(DnsServer::closeQuietly);
    if (rebuilder != null) {
      rebuilder.shutdownNow();
    }
    for (Thread thread : threads) {
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    threads.clear();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      // closing on shutdown: nothing left to do with the error
    }
  }

  private final class Changes<T> implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T obj) {
      requestRebuild();
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      requestRebuild();
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      requestRebuild();
    }
  }
}
