package dev.skiff.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Every record of the cluster domain, computed once from Services and EndpointSlices, after
 * Kubernetes' DNS-based service discovery specification (schema 1.1.0) with the extensions CoreDNS'
 * kubernetes plugin serves: endpoint names under non-headless services, SRV at the bare service
 * name, PTR for every ready endpoint address, and {@code a-b-c-d.<ns>.pod.<zone>} answered for any
 * address ("pods insecure", the mode k3s and kubeadm configure).
 *
 * <p>An index is immutable; the server swaps in a new one when the informers see a change.
 */
public final class RecordIndex {
  /** The schema version published in {@code dns-version.<zone>} (CoreDNS serves 1.1.0). */
  public static final String SCHEMA_VERSION = "1.1.0";

  /** The label under which services and endpoints carry their service's name. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");
  private static final Name IP6_ARPA = Name.fromConstantString("ip6.arpa.");

  private final Name zone;
  private final long ttl;
  private final Map<Name, Map<Integer, List<Record>>> names;
  private final Map<Name, List<Record>> pointers;
  private final SOARecord soa;
  private final SOARecord inAddrSoa;
  private final SOARecord ip6Soa;

  private RecordIndex(
      Name zone,
      long ttl,
      long serial,
      Map<Name, Map<Integer, List<Record>>> names,
      Map<Name, List<Record>> pointers) {
    this.zone = zone;
    this.ttl = ttl;
    this.names = names;
    this.pointers = pointers;
    this.soa = soa(zone, ttl, serial);
    this.inAddrSoa = soa(IN_ADDR_ARPA, ttl, serial);
    this.ip6Soa = soa(IP6_ARPA, ttl, serial);
  }

  /**
   * Builds the records of {@code services} and their {@code slices} (matched by the {@code
   * kubernetes.io/service-name} label; slices of absent services are ignored).
   *
   * @param serial the SOA serial, by CoreDNS' convention the Unix time of the last change
   */
  public static RecordIndex build(
      String clusterDomain,
      long ttl,
      long serial,
      Collection<Service> services,
      Collection<EndpointSlice> slices) {
    Name zone = absolute(clusterDomain);
    if (zone == null) {
      throw new IllegalArgumentException("invalid cluster domain: " + clusterDomain);
    }
    Builder builder = new Builder(zone, ttl);
    Map<ServiceKey, List<EndpointSlice>> slicesByService = new HashMap<>();
    for (EndpointSlice slice : slices) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
      if (service != null) {
        slicesByService
            .computeIfAbsent(
                new ServiceKey(slice.getMetadata().getNamespace(), service), k -> new ArrayList<>())
            .add(slice);
      }
    }
    for (Service service : services) {
      ServiceKey key =
          new ServiceKey(service.getMetadata().getNamespace(), service.getMetadata().getName());
      builder.addService(service, slicesByService.getOrDefault(key, List.of()));
    }
    return builder.freeze(serial);
  }

  /** The cluster domain, absolute. */
  public Name zone() {
    return zone;
  }

  /** The answer to one question. */
  public Answer lookup(Name qname, int qtype) {
    if (qname.subdomain(zone)) {
      return lookupInZone(qname, qtype);
    }
    if (qname.subdomain(IN_ADDR_ARPA)) {
      return lookupPointer(qname, qtype, inAddrSoa);
    }
    if (qname.subdomain(IP6_ARPA)) {
      return lookupPointer(qname, qtype, ip6Soa);
    }
    return Answer.refused();
  }

  private Answer lookupInZone(Name qname, int qtype) {
    Map<Integer, List<Record>> rrsets = names.get(qname);
    if (rrsets == null) {
      rrsets = podRecords(qname);
    }
    if (rrsets == null) {
      return negative(Rcode.NXDOMAIN, soa, false);
    }
    List<Record> cname = rrsets.getOrDefault(Type.CNAME, List.of());
    if (!cname.isEmpty() && qtype != Type.CNAME && qtype != Type.ANY) {
      List<Record> answer = new ArrayList<>(cname);
      Name target = ((CNAMERecord) cname.getFirst()).getTarget();
      Map<Integer, List<Record>> chased = target.subdomain(zone) ? names.get(target) : null;
      if (chased != null) {
        answer.addAll(chased.getOrDefault(qtype, List.of()));
      }
      return new Answer(Rcode.NOERROR, answer, List.of(), List.of(), false);
    }
    List<Record> answer;
    if (qtype == Type.ANY) {
      answer = new ArrayList<>();
      rrsets.values().forEach(answer::addAll);
    } else {
      answer = rrsets.getOrDefault(qtype, List.of());
    }
    if (answer.isEmpty()) {
      return negative(Rcode.NOERROR, soa, false);
    }
    return new Answer(Rcode.NOERROR, answer, List.of(), additional(answer), false);
  }

  /** Addresses of SRV and NS targets, which resolvers would otherwise ask for next. */
  private List<Record> additional(List<Record> answer) {
    Set<Name> targets = new LinkedHashSet<>();
    for (Record record : answer) {
      if (record instanceof SRVRecord srv) {
        targets.add(srv.getTarget());
      } else if (record instanceof NSRecord ns) {
        targets.add(ns.getTarget());
      }
    }
    if (targets.isEmpty()) {
      return List.of();
    }
    List<Record> additional = new ArrayList<>();
    for (Name target : targets) {
      Map<Integer, List<Record>> rrsets = names.get(target);
      if (rrsets != null) {
        additional.addAll(rrsets.getOrDefault(Type.A, List.of()));
        additional.addAll(rrsets.getOrDefault(Type.AAAA, List.of()));
      }
    }
    return additional;
  }

  /** {@code a-b-c-d.<ns>.pod.<zone>} (IPv6: colons written as dashes) for any address. */
  private Map<Integer, List<Record>> podRecords(Name qname) {
    if (qname.labels() != zone.labels() + 3 || !qname.getLabelString(2).equalsIgnoreCase("pod")) {
      return null;
    }
    String label = qname.getLabelString(0);
    byte[] v4 = Address.toByteArray(label.replace('-', '.'), Address.IPv4);
    if (v4 != null && label.chars().filter(c -> c == '-').count() == 3) {
      return Map.of(Type.A, List.of(address(qname, ttl, inet(v4))));
    }
    byte[] v6 = Address.toByteArray(label.replace('-', ':'), Address.IPv6);
    if (v6 != null) {
      return Map.of(Type.AAAA, List.of(address(qname, ttl, inet(v6))));
    }
    return null;
  }

  private Answer lookupPointer(Name qname, int qtype, SOARecord reverseSoa) {
    List<Record> records = pointers.get(qname);
    if (records == null) {
      return negative(Rcode.NXDOMAIN, reverseSoa, true);
    }
    if (qtype != Type.PTR && qtype != Type.ANY) {
      return negative(Rcode.NOERROR, reverseSoa, false);
    }
    return new Answer(Rcode.NOERROR, records, List.of(), List.of(), false);
  }

  private static Answer negative(int rcode, SOARecord soa, boolean forwardable) {
    return new Answer(rcode, List.of(), List.of(soa), List.of(), forwardable);
  }

  /**
   * The SOA CoreDNS' kubernetes plugin answers with: ns.dns.ZONE, hostmaster.ZONE, 7200 1800 86400.
   */
  private static SOARecord soa(Name zone, long ttl, long serial) {
    return new SOARecord(
        zone,
        DClass.IN,
        Math.min(ttl, 300),
        child("ns.dns", zone),
        child("hostmaster", zone),
        serial & 0xFFFFFFFFL,
        7200,
        1800,
        86400,
        ttl);
  }

  static Name absolute(String name) {
    try {
      return Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      return null;
    }
  }

  /** {@code labels.origin}, or null when the labels are not a valid DNS name there. */
  static Name child(String labels, Name origin) {
    try {
      return Name.fromString(labels, origin);
    } catch (TextParseException e) {
      return null;
    }
  }

  private static InetAddress inet(byte[] address) {
    try {
      return InetAddress.getByAddress(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Parses an address literal without ever asking a resolver; null when it is not one. */
  static InetAddress literal(String ip) {
    if (ip == null) {
      return null;
    }
    byte[] bytes = Address.toByteArray(ip, Address.IPv4);
    if (bytes == null) {
      bytes = Address.toByteArray(ip, Address.IPv6);
    }
    return bytes == null ? null : inet(bytes);
  }

  private static Record address(Name name, long ttl, InetAddress ip) {
    return ip.getAddress().length == 4
        ? new ARecord(name, DClass.IN, ttl, ip)
        : new AAAARecord(name, DClass.IN, ttl, ip);
  }

  private record ServiceKey(String namespace, String name) {}

  private record SrvTarget(int port, Name target) {}

  private static final class Builder {
    private final Name zone;
    private final Name services;
    private final long ttl;
    private final Map<Name, Map<Integer, Set<Record>>> names = new HashMap<>();
    private final Map<Name, Set<SrvTarget>> srv = new LinkedHashMap<>();
    private final Map<Name, Set<Record>> pointers = new HashMap<>();

    Builder(Name zone, long ttl) {
      this.zone = zone;
      this.services = child("svc", zone);
      this.ttl = ttl;
      add(zone, Type.NS, new NSRecord(zone, DClass.IN, ttl, nsName()));
      add(
          child("dns-version", zone),
          Type.TXT,
          new TXTRecord(child("dns-version", zone), DClass.IN, ttl, SCHEMA_VERSION));
      ensure(services);
      ensure(child("pod", zone));
    }

    private Name nsName() {
      return child("ns.dns", zone);
    }

    void addService(Service service, List<EndpointSlice> slices) {
      String namespace = service.getMetadata().getNamespace();
      Name name = child(service.getMetadata().getName() + "." + namespace, services);
      if (name == null || service.getSpec() == null) {
        return;
      }
      var spec = service.getSpec();
      if ("ExternalName".equals(spec.getType())) {
        Name target = spec.getExternalName() == null ? null : absolute(spec.getExternalName());
        if (target != null) {
          add(name, Type.CNAME, new CNAMERecord(name, DClass.IN, ttl, target));
        }
        return;
      }
      boolean headless = "None".equals(spec.getClusterIP());
      if (!headless) {
        List<String> clusterIps =
            spec.getClusterIPs() == null || spec.getClusterIPs().isEmpty()
                ? (spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP()))
                : spec.getClusterIPs();
        for (String clusterIp : clusterIps) {
          InetAddress ip = literal(clusterIp);
          if (ip != null) {
            addAddress(name, ip);
            addPointer(ip, name);
          }
        }
        if (spec.getPorts() != null) {
          for (ServicePort port : spec.getPorts()) {
            addSrv(name, port.getName(), port.getProtocol(), port.getPort(), name);
          }
        }
        if ("kube-system".equals(namespace) && "kube-dns".equals(service.getMetadata().getName())) {
          clusterIps.stream().map(RecordIndex::literal).forEach(ip -> addAddressIfIp(nsName(), ip));
        }
      }
      boolean publishNotReady = Boolean.TRUE.equals(spec.getPublishNotReadyAddresses());
      for (EndpointSlice slice : slices) {
        if (!"IPv4".equals(slice.getAddressType()) && !"IPv6".equals(slice.getAddressType())) {
          continue;
        }
        for (Endpoint endpoint : slice.getEndpoints()) {
          boolean ready =
              endpoint.getConditions() == null
                  || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
          if (!ready && !publishNotReady) {
            continue;
          }
          for (String address : endpoint.getAddresses()) {
            InetAddress ip = literal(address);
            if (ip == null) {
              continue;
            }
            String hostname =
                endpoint.getHostname() != null && !endpoint.getHostname().isEmpty()
                    ? endpoint.getHostname()
                    : dashed(address);
            Name host = child(hostname, name);
            if (host == null) {
              continue;
            }
            addAddress(host, ip);
            addPointer(ip, host);
            if (headless) {
              addAddress(name, ip);
              if (slice.getPorts() != null) {
                for (EndpointPort port : slice.getPorts()) {
                  if (port.getPort() != null) {
                    addSrv(name, port.getName(), port.getProtocol(), port.getPort(), host);
                  }
                }
              }
            }
          }
        }
      }
    }

    private void addAddressIfIp(Name name, InetAddress ip) {
      if (ip != null) {
        addAddress(name, ip);
      }
    }

    /**
     * The endpoint's name when it has no hostname: its address as written, dots or colons dashed.
     */
    private static String dashed(String address) {
      return address.replace('.', '-').replace(':', '-');
    }

    private void addAddress(Name name, InetAddress ip) {
      Record record = address(name, ttl, ip);
      add(name, record.getType(), record);
    }

    private void addPointer(InetAddress ip, Name target) {
      Name reverse = ReverseMap.fromAddress(ip);
      pointers
          .computeIfAbsent(reverse, k -> new LinkedHashSet<>())
          .add(new PTRRecord(reverse, DClass.IN, ttl, target));
    }

    /** SRV for a named port at {@code _port._proto.service}, and for any port at the service. */
    private void addSrv(Name service, String portName, String protocol, int port, Name target) {
      srv.computeIfAbsent(service, k -> new LinkedHashSet<>()).add(new SrvTarget(port, target));
      if (portName == null || portName.isEmpty()) {
        return;
      }
      String proto = (protocol == null ? "TCP" : protocol).toLowerCase(Locale.ROOT);
      Name named = child("_" + portName + "._" + proto, service);
      if (named != null) {
        srv.computeIfAbsent(named, k -> new LinkedHashSet<>()).add(new SrvTarget(port, target));
      }
    }

    private void add(Name name, int type, Record record) {
      names
          .computeIfAbsent(name, k -> new LinkedHashMap<>())
          .computeIfAbsent(type, k -> new LinkedHashSet<>())
          .add(record);
      ensure(name);
    }

    /** Makes {@code name} and its ancestors up to the zone exist (empty non-terminals: NODATA). */
    private void ensure(Name name) {
      for (Name n = name; n.labels() > zone.labels(); n = new Name(n, 1)) {
        if (names.putIfAbsent(n, new LinkedHashMap<>()) != null && n != name) {
          return;
        }
      }
      names.putIfAbsent(zone, new LinkedHashMap<>());
    }

    RecordIndex freeze(long serial) {
      add(zone, Type.SOA, soa(zone, ttl, serial));
      for (var entry : srv.entrySet()) {
        // weights split 100 between the targets of one name, as CoreDNS does
        int weight = 100 / entry.getValue().size();
        for (SrvTarget target : entry.getValue()) {
          add(
              entry.getKey(),
              Type.SRV,
              new SRVRecord(
                  entry.getKey(), DClass.IN, ttl, 0, weight, target.port(), target.target()));
        }
      }
      Map<Name, Map<Integer, List<Record>>> frozen = new HashMap<>(names.size() * 2);
      names.forEach(
          (name, rrsets) -> {
            Map<Integer, List<Record>> copy = new LinkedHashMap<>();
            rrsets.forEach((type, records) -> copy.put(type, List.copyOf(records)));
            frozen.put(name, copy);
          });
      Map<Name, List<Record>> frozenPointers = new HashMap<>(pointers.size() * 2);
      pointers.forEach((name, records) -> frozenPointers.put(name, List.copyOf(records)));
      return new RecordIndex(zone, ttl, serial, frozen, frozenPointers);
    }
  }
}
