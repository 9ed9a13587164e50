package dev.skiff.dns;

import static dev.skiff.dns.Fixtures.endpoint;
import static dev.skiff.dns.Fixtures.endpointPort;
import static dev.skiff.dns.Fixtures.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The server against a real API server: informers, sockets, and dnsjava's resolver as client. */
class DnsServerIT {
  /**
   * How long a change may take to show: generous for a loaded machine; DnsLoad in skiff-bench
   * measures the real propagation time.
   */
  private static final Duration PROPAGATION = Duration.ofSeconds(10);

  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static DnsServer dns;
  private static KubernetesClient client;

  @BeforeAll
  static void startDns() {
    client = cluster.client();
    dns = new DnsServer(client, DnsOptions.forTests());
    dns.start();
  }

  @AfterAll
  static void stopDns() {
    if (dns != null) {
      dns.close();
    }
  }

  @Test
  void resolvesAServiceOverUdpAndTcp() throws Exception {
    Service web = createService("udp-tcp", clusterIpService("web"));
    String ip = web.getSpec().getClusterIP();

    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () ->
                assertThat(addresses(udp(), "web.udp-tcp.svc.cluster.local.")).containsExactly(ip));
    assertThat(addresses(tcp(), "web.udp-tcp.svc.cluster.local.")).containsExactly(ip);
    Message srv = udp().send(query("_http._tcp.web.udp-tcp.svc.cluster.local.", Type.SRV));
    assertThat(RecordIndexTest.strings(srv.getSection(Section.ANSWER)))
        .containsExactly("SRV 0 100 80 web.udp-tcp.svc.cluster.local.");
    Message ptr = udp().send(query(ReverseMap.fromAddress(ip).toString(), Type.PTR));
    assertThat(RecordIndexTest.strings(ptr.getSection(Section.ANSWER)))
        .containsExactly("PTR web.udp-tcp.svc.cluster.local.");
  }

  @Test
  void followsChangesToEndpointSlices() throws Exception {
    createService("changes", headlessService("db"));
    EndpointSlice slice = createSlice("changes", "db", endpoint("10.42.0.1", null, true));

    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () ->
                assertThat(addresses(udp(), "db.changes.svc.cluster.local."))
                    .containsExactly("10.42.0.1"));

    slice.setEndpoints(
        List.of(endpoint("10.42.0.1", null, false), endpoint("10.42.0.2", null, true)));
    client.resource(slice).update();

    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () ->
                assertThat(addresses(udp(), "db.changes.svc.cluster.local."))
                    .containsExactly("10.42.0.2"));
  }

  @Test
  void headlessServiceWithHostnames() throws Exception {
    createService("stateful", headlessService("pets"));
    createSlice(
        "stateful",
        "pets",
        endpoint("10.42.1.10", "pets-0", true),
        endpoint("10.42.1.11", "pets-1", true));

    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () ->
                assertThat(addresses(udp(), "pets-1.pets.stateful.svc.cluster.local."))
                    .containsExactly("10.42.1.11"));
    assertThat(addresses(udp(), "pets.stateful.svc.cluster.local."))
        .containsExactlyInAnyOrder("10.42.1.10", "10.42.1.11");
    Message srv = tcp().send(query("_http._tcp.pets.stateful.svc.cluster.local.", Type.SRV));
    assertThat(RecordIndexTest.strings(srv.getSection(Section.ANSWER)))
        .containsExactlyInAnyOrder(
            "SRV 0 50 80 pets-0.pets.stateful.svc.cluster.local.",
            "SRV 0 50 80 pets-1.pets.stateful.svc.cluster.local.");
    Message ptr = udp().send(query("10.1.42.10.in-addr.arpa.", Type.PTR));
    assertThat(RecordIndexTest.strings(ptr.getSection(Section.ANSWER)))
        .containsExactly("PTR pets-0.pets.stateful.svc.cluster.local.");
  }

  @Test
  void externalNameIsACname() throws Exception {
    createService(
        "external",
        new ServiceBuilder()
            .withNewMetadata()
            .withName("search")
            .endMetadata()
            .withNewSpec()
            .withType("ExternalName")
            .withExternalName("search.example.com")
            .endSpec()
            .build());

    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () -> {
              Message response = udp().send(query("search.external.svc.cluster.local.", Type.A));
              assertThat(RecordIndexTest.strings(response.getSection(Section.ANSWER)))
                  .containsExactly("CNAME search.example.com.");
            });
  }

  @Test
  void deletedServiceIsNxdomainWithTheZoneSoa() throws Exception {
    Service gone = createService("deleted", clusterIpService("gone"));
    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () ->
                assertThat(addresses(udp(), "gone.deleted.svc.cluster.local."))
                    .containsExactly(gone.getSpec().getClusterIP()));

    client.resource(gone).delete();

    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () -> {
              Message response = udp().send(query("gone.deleted.svc.cluster.local.", Type.A));
              assertThat(response.getRcode()).isEqualTo(Rcode.NXDOMAIN);
              assertThat(response.getSection(Section.AUTHORITY))
                  .singleElement()
                  .satisfies(soa -> assertThat(soa.getName()).hasToString("cluster.local."));
            });
  }

  @Test
  void namesOutsideTheClusterAreRefusedWithoutUpstream() throws Exception {
    assertThat(udp().send(query("example.com.", Type.A)).getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(udp().send(query("dns-version.cluster.local.", Type.TXT)).getRcode())
        .isEqualTo(Rcode.NOERROR);
  }

  @Test
  void garbageGetsFormerrAndTheServerKeepsAnswering() throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(5000);
      byte[] garbage = {0x55, 0x66, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 63, 'x'};
      socket.send(
          new DatagramPacket(
              garbage,
              garbage.length,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.port())));
      DatagramPacket reply = new DatagramPacket(new byte[512], 512);
      socket.receive(reply);

      assertThat(reply.getLength()).isEqualTo(12);
      assertThat(reply.getData()[0]).isEqualTo((byte) 0x55);
      assertThat(reply.getData()[3] & 0x0F).isEqualTo(Rcode.FORMERR);
    }
    assertThat(udp().send(query("dns-version.cluster.local.", Type.TXT)).getRcode())
        .isEqualTo(Rcode.NOERROR);
  }

  @Test
  void largeUdpAnswersAreTruncatedAndComplete_overTcp() throws Exception {
    createService("large", headlessService("many"));
    Endpoint[] endpoints = new Endpoint[60];
    for (int i = 0; i < endpoints.length; i++) {
      endpoints[i] = endpoint("10.42.3." + i, null, true);
    }
    createSlice("large", "many", endpoints);
    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () -> assertThat(addresses(tcp(), "many.large.svc.cluster.local.")).hasSize(60));

    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(5000);
      byte[] query = query("many.large.svc.cluster.local.", Type.A).toWire();
      socket.send(
          new DatagramPacket(
              query,
              query.length,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.port())));
      DatagramPacket reply = new DatagramPacket(new byte[4096], 4096);
      socket.receive(reply);

      assertThat(reply.getLength()).isLessThanOrEqualTo(512);
      Message response = new Message(Arrays.copyOf(reply.getData(), reply.getLength()));
      assertThat(response.getHeader().getFlag(Flags.TC)).isTrue();
    }
  }

  @Test
  void forwardsOtherNamesToTheUpstream() throws Exception {
    try (FixedResponder upstream = FixedResponder.start("192.0.2.53");
        DnsServer forwarding =
            new DnsServer(
                client, DnsOptions.forTests().withUpstreams(List.of(upstream.address())))) {
      forwarding.start();
      SimpleResolver resolver = resolver(forwarding.port(), false);
      SimpleResolver tcpResolver = resolver(forwarding.port(), true);

      assertThat(addresses(resolver, "www.example.com.")).containsExactly("192.0.2.53");
      assertThat(addresses(tcpResolver, "www.example.com.")).containsExactly("192.0.2.53");
      assertThat(resolver.send(query("dns-version.cluster.local.", Type.TXT)).getRcode())
          .isEqualTo(Rcode.NOERROR);
    }
  }

  @Test
  void upstreamThatDoesNotAnswerGivesServfail() throws Exception {
    InetSocketAddress silent;
    try (DatagramSocket unused = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      silent = (InetSocketAddress) unused.getLocalSocketAddress();
    }
    try (DnsServer forwarding =
        new DnsServer(client, DnsOptions.forTests().withUpstreams(List.of(silent)))) {
      forwarding.start();
      SimpleResolver resolver = resolver(forwarding.port(), false);
      resolver.setTimeout(Duration.ofSeconds(10));

      assertThat(resolver.send(query("www.example.com.", Type.A)).getRcode())
          .isEqualTo(Rcode.SERVFAIL);
    }
  }

  private static Service clusterIpService(String name) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withPorts(port("http", "TCP", 80))
        .endSpec()
        .build();
  }

  private static Service headlessService(String name) {
    Service service = clusterIpService(name);
    service.getSpec().setClusterIP("None");
    return service;
  }

  private static Service createService(String namespace, Service service) {
    ensureNamespace(namespace);
    return client.services().inNamespace(namespace).resource(service).create();
  }

  private static EndpointSlice createSlice(
      String namespace, String service, Endpoint... endpoints) {
    EndpointSlice slice =
        Fixtures.slice(namespace, service, List.of(endpointPort("http", "TCP", 80)), endpoints);
    return client.discovery().v1().endpointSlices().inNamespace(namespace).resource(slice).create();
  }

  private static void ensureNamespace(String namespace) {
    if (client.namespaces().withName(namespace).get() == null) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    }
  }

  private static SimpleResolver udp() throws Exception {
    return resolver(dns.port(), false);
  }

  private static SimpleResolver tcp() throws Exception {
    return resolver(dns.port(), true);
  }

  private static SimpleResolver resolver(int port, boolean tcp) throws Exception {
    SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
    resolver.setPort(port);
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(5));
    return resolver;
  }

  private static List<String> addresses(SimpleResolver resolver, String name) throws Exception {
    Message response = resolver.send(query(name, Type.A));
    return response.getSection(Section.ANSWER).stream()
        .filter(ARecord.class::isInstance)
        .map(r -> ((ARecord) r).getAddress().getHostAddress())
        .toList();
  }

  private static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }
}
