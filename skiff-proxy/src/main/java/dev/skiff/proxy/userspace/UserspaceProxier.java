package dev.skiff.proxy.userspace;

import dev.skiff.proxy.Proxier;
import dev.skiff.proxy.state.EndpointCategories;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServicePortInfo;
import dev.skiff.proxy.state.ServicePortName;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The userspace mode, for hosts without netfilter: a Java proxy listening on each TCP and UDP
 * service port's cluster IP and port, balancing round-robin or by ClientIP affinity. The cluster
 * IPs must be local addresses of the node (e.g. {@code ip route add local 10.43.0.0/16 dev lo}); a
 * service port whose address cannot be bound is logged and left unserved.
 */
public final class UserspaceProxier implements Proxier {
  private static final Logger log = LoggerFactory.getLogger(UserspaceProxier.class);

  private record Listener(ServicePortInfo service, ServiceListener socket, EndpointPicker picker) {}

  private final InstantSource clock;
  private final Map<ServicePortName, Listener> listeners = new HashMap<>();

  public UserspaceProxier() {
    this(InstantSource.system());
  }

  UserspaceProxier(InstantSource clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void sync(ProxyState state) {
    Iterator<Map.Entry<ServicePortName, Listener>> it = listeners.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ServicePortName, Listener> entry = it.next();
      ServicePortInfo now = state.services().get(entry.getKey());
      if (now == null
          || !now.clusterIP().equals(entry.getValue().service().clusterIP())
          || now.port() != entry.getValue().service().port()) {
        entry.getValue().socket().close();
        it.remove();
      }
    }
    for (ServicePortInfo svc : state.services().values()) {
      String protocol = svc.name().protocol();
      if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
        continue;
      }
      Listener listener = listeners.get(svc.name());
      if (listener == null) {
        EndpointPicker picker = new EndpointPicker(clock);
        InetSocketAddress address = new InetSocketAddress(svc.clusterIP(), svc.port());
        try {
          ServiceListener socket =
              protocol.equals("TCP")
                  ? new TcpServiceProxy(address, picker, svc.name().toString())
                  : new UdpServiceProxy(address, picker, svc.name().toString());
          listener = new Listener(svc, socket, picker);
        } catch (IOException e) {
          log.warn(
              "userspace cannot listen service={} address={} error=\"{}\"",
              svc.name(),
              address,
              e.getMessage());
          continue;
        }
      } else {
        listener = new Listener(svc, listener.socket(), listener.picker());
      }
      EndpointCategories categories = EndpointCategories.of(svc, state.endpointsOf(svc.name()));
      listener
          .picker()
          .update(
              svc.internalPolicyLocal() ? categories.local() : categories.cluster(),
              svc.affinityTimeoutSeconds());
      listeners.put(svc.name(), listener);
    }
  }

  /** The address a service port is served on, if it is. */
  public synchronized Optional<InetSocketAddress> address(ServicePortName name) {
    return Optional.ofNullable(listeners.get(name)).map(l -> l.socket().address());
  }

  @Override
  public synchronized void close() {
    listeners.values().forEach(l -> l.socket().close());
    listeners.clear();
  }
}
