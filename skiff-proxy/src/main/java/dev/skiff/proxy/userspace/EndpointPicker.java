package dev.skiff.proxy.userspace;

import dev.skiff.proxy.state.Endpoint;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the endpoint of each new connection of one service port: round-robin, or with ClientIP
 * affinity the endpoint the client used last, until it has been idle for the timeout.
 */
final class EndpointPicker {
  private record Sticky(Endpoint endpoint, Instant lastUsed) {}

  private final InstantSource clock;
  private final AtomicInteger next = new AtomicInteger();
  private final Map<InetAddress, Sticky> affinity = new ConcurrentHashMap<>();
  private volatile List<Endpoint> endpoints = List.of();
  private volatile Duration affinityTimeout = Duration.ZERO;

  EndpointPicker(InstantSource clock) {
    this.clock = clock;
  }

  void update(List<Endpoint> newEndpoints, int affinityTimeoutSeconds) {
    endpoints = List.copyOf(newEndpoints);
    affinityTimeout = Duration.ofSeconds(affinityTimeoutSeconds);
    affinity.values().removeIf(s -> !newEndpoints.contains(s.endpoint()));
    if (affinityTimeoutSeconds == 0) {
      affinity.clear();
    }
  }

  /** The endpoints in round-robin order for this client, first choice first; empty if none. */
  List<Endpoint> candidates(InetAddress client) {
    List<Endpoint> current = endpoints;
    if (current.isEmpty()) {
      return List.of();
    }
    Instant now = clock.instant();
    if (!affinityTimeout.isZero()) {
      Sticky sticky = affinity.get(client);
      if (sticky != null
          && current.contains(sticky.endpoint())
          && !now.isAfter(sticky.lastUsed().plus(affinityTimeout))) {
        affinity.put(client, new Sticky(sticky.endpoint(), now));
        return rotate(current, current.indexOf(sticky.endpoint()));
      }
    }
    int start = Math.floorMod(next.getAndIncrement(), current.size());
    return rotate(current, start);
  }

  /** Records that {@code client} was connected to {@code endpoint} (for affinity). */
  void connected(InetAddress client, Endpoint endpoint) {
    if (!affinityTimeout.isZero()) {
      affinity.put(client, new Sticky(endpoint, clock.instant()));
    }
  }

  private static List<Endpoint> rotate(List<Endpoint> list, int start) {
    java.util.ArrayList<Endpoint> out = new java.util.ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(list.get((start + i) % list.size()));
    }
    return out;
  }
}
