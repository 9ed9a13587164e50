package dev.skiff.dns;

import static dev.skiff.dns.Fixtures.clusterIp;
import static dev.skiff.dns.Fixtures.dualStack;
import static dev.skiff.dns.Fixtures.endpoint;
import static dev.skiff.dns.Fixtures.endpointPort;
import static dev.skiff.dns.Fixtures.externalName;
import static dev.skiff.dns.Fixtures.headless;
import static dev.skiff.dns.Fixtures.port;
import static dev.skiff.dns.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

class RecordIndexTest {
  private static final long SERIAL = 1_700_000_000L;

  static final RecordIndex INDEX =
      RecordIndex.build(
          "cluster.local",
          5,
          SERIAL,
          List.of(
              clusterIp(
                  "default", "web", "10.43.0.20", port("http", "TCP", 80), port("dns", "UDP", 53)),
              headless("prod", "db", port("pg", "TCP", 5432)),
              headless("default", "empty", port("http", "TCP", 80)),
              externalName("default", "ext", "www.example.com"),
              externalName("default", "alias", "web.default.svc.cluster.local"),
              dualStack("default", "dual", "10.43.0.30", "fd00::30"),
              clusterIp("kube-system", "kube-dns", "10.43.0.10", port("dns", "UDP", 53))),
          List.of(
              slice(
                  "default",
                  "web",
                  List.of(endpointPort("http", "TCP", 8080)),
                  endpoint("10.42.0.5", null, true),
                  endpoint("10.42.0.6", null, false)),
              slice(
                  "prod",
                  "db",
                  List.of(endpointPort("pg", "TCP", 5432)),
                  endpoint("10.42.1.1", "db-0", true),
                  endpoint("10.42.1.2", "db-1", true),
                  endpoint("10.42.1.3", null, true),
                  endpoint("10.42.1.4", "db-3", false)),
              slice(
                  "prod",
                  "orphan",
                  List.of(endpointPort("pg", "TCP", 5432)),
                  endpoint("10.42.9.9", "x", true))));

  record Case(String name, String qname, int qtype, int rcode, List<String> answer) {}

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "cluster IP", "web.default.svc.cluster.local.", Type.A, 0, List.of("A 10.43.0.20")),
        new Case(
            "names compare case-insensitively",
            "WEB.Default.SVC.cluster.LOCAL.",
            Type.A,
            0,
            List.of("A 10.43.0.20")),
        new Case(
            "no AAAA for an IPv4 service",
            "web.default.svc.cluster.local.",
            Type.AAAA,
            0,
            List.of()),
        new Case(
            "named TCP port",
            "_http._tcp.web.default.svc.cluster.local.",
            Type.SRV,
            0,
            List.of("SRV 0 100 80 web.default.svc.cluster.local.")),
        new Case(
            "named UDP port",
            "_dns._udp.web.default.svc.cluster.local.",
            Type.SRV,
            0,
            List.of("SRV 0 100 53 web.default.svc.cluster.local.")),
        new Case(
            "port under the wrong protocol",
            "_http._udp.web.default.svc.cluster.local.",
            Type.SRV,
            Rcode.NXDOMAIN,
            List.of()),
        new Case(
            "every port at the service name",
            "web.default.svc.cluster.local.",
            Type.SRV,
            0,
            List.of(
                "SRV 0 50 80 web.default.svc.cluster.local.",
                "SRV 0 50 53 web.default.svc.cluster.local.")),
        new Case(
            "ready endpoint under a cluster IP service",
            "10-42-0-5.web.default.svc.cluster.local.",
            Type.A,
            0,
            List.of("A 10.42.0.5")),
        new Case(
            "unready endpoint has no name",
            "10-42-0-6.web.default.svc.cluster.local.",
            Type.A,
            Rcode.NXDOMAIN,
            List.of()),
        new Case(
            "headless: ready endpoints",
            "db.prod.svc.cluster.local.",
            Type.A,
            0,
            List.of("A 10.42.1.1", "A 10.42.1.2", "A 10.42.1.3")),
        new Case(
            "headless: endpoint hostname",
            "db-0.db.prod.svc.cluster.local.",
            Type.A,
            0,
            List.of("A 10.42.1.1")),
        new Case(
            "headless: unready hostname",
            "db-3.db.prod.svc.cluster.local.",
            Type.A,
            Rcode.NXDOMAIN,
            List.of()),
        new Case(
            "headless: endpoint without hostname is named by its address",
            "10-42-1-3.db.prod.svc.cluster.local.",
            Type.A,
            0,
            List.of("A 10.42.1.3")),
        new Case(
            "headless: SRV per ready endpoint",
            "_pg._tcp.db.prod.svc.cluster.local.",
            Type.SRV,
            0,
            List.of(
                "SRV 0 33 5432 db-0.db.prod.svc.cluster.local.",
                "SRV 0 33 5432 db-1.db.prod.svc.cluster.local.",
                "SRV 0 33 5432 10-42-1-3.db.prod.svc.cluster.local.")),
        new Case(
            "headless without ready endpoints",
            "empty.default.svc.cluster.local.",
            Type.A,
            Rcode.NXDOMAIN,
            List.of()),
        new Case(
            "slices without a service",
            "orphan.prod.svc.cluster.local.",
            Type.A,
            Rcode.NXDOMAIN,
            List.of()),
        new Case(
            "ExternalName",
            "ext.default.svc.cluster.local.",
            Type.A,
            0,
            List.of("CNAME www.example.com.")),
        new Case(
            "ExternalName inside the cluster is followed",
            "alias.default.svc.cluster.local.",
            Type.A,
            0,
            List.of("CNAME web.default.svc.cluster.local.", "A 10.43.0.20")),
        new Case(
            "dual-stack AAAA",
            "dual.default.svc.cluster.local.",
            Type.AAAA,
            0,
            List.of("AAAA fd00:0:0:0:0:0:0:30")),
        new Case(
            "PTR of a cluster IP",
            "20.0.43.10.in-addr.arpa.",
            Type.PTR,
            0,
            List.of("PTR web.default.svc.cluster.local.")),
        new Case(
            "PTR of an IPv6 cluster IP",
            "0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.",
            Type.PTR,
            0,
            List.of("PTR dual.default.svc.cluster.local.")),
        new Case(
            "PTR of an endpoint with hostname",
            "1.1.42.10.in-addr.arpa.",
            Type.PTR,
            0,
            List.of("PTR db-0.db.prod.svc.cluster.local.")),
        new Case(
            "PTR of an unknown address",
            "9.9.9.10.in-addr.arpa.",
            Type.PTR,
            Rcode.NXDOMAIN,
            List.of()),
        new Case(
            "pod address record",
            "10-42-0-9.default.pod.cluster.local.",
            Type.A,
            0,
            List.of("A 10.42.0.9")),
        new Case(
            "IPv6 pod address record",
            "fd00--9.default.pod.cluster.local.",
            Type.AAAA,
            0,
            List.of("AAAA fd00:0:0:0:0:0:0:9")),
        new Case(
            "pod name that is no address",
            "10-42-0.default.pod.cluster.local.",
            Type.A,
            Rcode.NXDOMAIN,
            List.of()),
        new Case("schema version", "dns-version.cluster.local.", Type.TXT, 0, List.of("TXT 1.1.0")),
        new Case(
            "namespace is an empty non-terminal",
            "default.svc.cluster.local.",
            Type.A,
            0,
            List.of()),
        new Case(
            "unknown service",
            "nope.default.svc.cluster.local.",
            Type.A,
            Rcode.NXDOMAIN,
            List.of()),
        new Case(
            "search-path expansion",
            "web.default.svc.cluster.local.default.svc.cluster.local.",
            Type.A,
            Rcode.NXDOMAIN,
            List.of()),
        new Case("outside the cluster domain", "example.com.", Type.A, Rcode.REFUSED, List.of()),
        new Case("zone apex NS", "cluster.local.", Type.NS, 0, List.of("NS ns.dns.cluster.local.")),
        new Case(
            "name server address from kube-dns",
            "ns.dns.cluster.local.",
            Type.A,
            0,
            List.of("A 10.43.0.10")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answers(Case c) throws Exception {
    Answer answer = INDEX.lookup(Name.fromString(c.qname()), c.qtype());

    assertThat(answer.rcode()).as("rcode").isEqualTo(c.rcode());
    assertThat(strings(answer.answer())).containsExactlyInAnyOrderElementsOf(c.answer());
    if (c.rcode() == Rcode.REFUSED) {
      assertThat(answer.authority()).isEmpty();
    } else if (c.answer().isEmpty()) {
      assertThat(answer.authority()).singleElement().isInstanceOf(SOARecord.class);
    } else {
      assertThat(answer.authority()).isEmpty();
    }
  }

  @Test
  void negativeAnswersCarryTheZoneSoaAsCoreDnsWritesIt() throws Exception {
    Answer answer = INDEX.lookup(Name.fromString("nope.default.svc.cluster.local."), Type.A);

    assertThat(answer.authority())
        .singleElement()
        .hasToString(
            "cluster.local.\t\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. "
                + SERIAL
                + " 7200 1800 86400 5");
    assertThat(answer.forwardable()).isFalse();
  }

  @Test
  void unknownReverseNamesAreForwardableWithTheReverseZoneSoa() throws Exception {
    Answer answer = INDEX.lookup(Name.fromString("9.9.9.10.in-addr.arpa."), Type.PTR);

    assertThat(answer.forwardable()).isTrue();
    assertThat(answer.authority())
        .singleElement()
        .satisfies(soa -> assertThat(soa.getName()).hasToString("in-addr.arpa."));
  }

  @Test
  void outsideTheZoneIsForwardable() throws Exception {
    assertThat(INDEX.lookup(Name.fromString("example.com."), Type.A).forwardable()).isTrue();
  }

  @Test
  void srvAnswersCarryTargetAddresses() throws Exception {
    Answer answer = INDEX.lookup(Name.fromString("_pg._tcp.db.prod.svc.cluster.local."), Type.SRV);

    assertThat(strings(answer.additional()))
        .containsExactlyInAnyOrder("A 10.42.1.1", "A 10.42.1.2", "A 10.42.1.3");
  }

  @Test
  void apexNsCarriesTheNameServerAddress() throws Exception {
    Answer answer = INDEX.lookup(Name.fromString("cluster.local."), Type.NS);

    assertThat(strings(answer.additional())).containsExactly("A 10.43.0.10");
  }

  @Test
  void everyRecordHasTheConfiguredTtl() throws Exception {
    RecordIndex index =
        RecordIndex.build(
            "cluster.local",
            30,
            SERIAL,
            List.of(clusterIp("default", "web", "10.43.0.20", port("http", "TCP", 80))),
            List.of());

    Answer a = index.lookup(Name.fromString("web.default.svc.cluster.local."), Type.A);
    Answer srv =
        index.lookup(Name.fromString("_http._tcp.web.default.svc.cluster.local."), Type.SRV);
    Answer nx = index.lookup(Name.fromString("x.default.svc.cluster.local."), Type.A);

    assertThat(a.answer()).extracting(Record::getTTL).containsOnly(30L);
    assertThat(srv.answer()).extracting(Record::getTTL).containsOnly(30L);
    assertThat(((SOARecord) nx.authority().getFirst()).getMinimum()).isEqualTo(30);
  }

  @Test
  void anotherClusterDomain() throws Exception {
    RecordIndex index =
        RecordIndex.build(
            "example.internal",
            5,
            SERIAL,
            List.of(clusterIp("default", "web", "10.43.0.20")),
            List.of());

    assertThat(
            strings(
                index
                    .lookup(Name.fromString("web.default.svc.example.internal."), Type.A)
                    .answer()))
        .containsExactly("A 10.43.0.20");
    assertThat(index.lookup(Name.fromString("web.default.svc.cluster.local."), Type.A).rcode())
        .isEqualTo(Rcode.REFUSED);
  }

  static List<String> strings(List<Record> records) {
    return records.stream().map(r -> Type.string(r.getType()) + " " + r.rdataToString()).toList();
  }
}
