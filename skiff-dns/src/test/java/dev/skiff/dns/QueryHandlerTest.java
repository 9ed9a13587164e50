package dev.skiff.dns;

import static dev.skiff.dns.Fixtures.clusterIp;
import static dev.skiff.dns.Fixtures.endpoint;
import static dev.skiff.dns.Fixtures.endpointPort;
import static dev.skiff.dns.Fixtures.headless;
import static dev.skiff.dns.Fixtures.port;
import static dev.skiff.dns.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class QueryHandlerTest {
  private static final List<Endpoint> MANY =
      IntStream.range(0, 100).mapToObj(i -> endpoint("10.42.2." + i, null, true)).toList();

  private final QueryHandler handler =
      new QueryHandler(
          RecordIndex.build(
              "cluster.local",
              5,
              1,
              List.of(
                  clusterIp("default", "web", "10.43.0.20", port("http", "TCP", 80)),
                  headless("default", "big", port("http", "TCP", 80))),
              List.of(
                  slice(
                      "default",
                      "big",
                      List.of(endpointPort("http", "TCP", 80)),
                      MANY.toArray(Endpoint[]::new)))),
          null);

  @Test
  void answersFromTheIndexWithTheQuerysIdAndFlags() throws Exception {
    Message query = query("web.default.svc.cluster.local.", Type.A);

    Message response = answer(query, false);

    assertThat(response.getHeader().getID()).isEqualTo(query.getHeader().getID());
    assertThat(response.getHeader().getFlag(Flags.QR)).isTrue();
    assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(response.getHeader().getFlag(Flags.RD)).isTrue();
    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(RecordIndexTest.strings(response.getSection(Section.ANSWER)))
        .containsExactly("A 10.43.0.20");
  }

  @Test
  void repeatedQueriesGetTheirOwnIdFlagsAndSpelling() throws Exception {
    answer(query("web.default.svc.cluster.local.", Type.A), false);
    Message second = query("WEB.default.SVC.cluster.local.", Type.A);
    second.getHeader().unsetFlag(Flags.RD);

    Message response = answer(second, false);

    assertThat(response.getHeader().getID()).isEqualTo(second.getHeader().getID());
    assertThat(response.getHeader().getFlag(Flags.RD)).isFalse();
    assertThat(response.getQuestion().getName().toString())
        .isEqualTo("WEB.default.SVC.cluster.local.");
    assertThat(RecordIndexTest.strings(response.getSection(Section.ANSWER)))
        .containsExactly("A 10.43.0.20");
  }

  @Test
  void aNewIndexReplacesCachedAnswers() throws Exception {
    answer(query("web.default.svc.cluster.local.", Type.A), false);

    handler.setIndex(
        RecordIndex.build(
            "cluster.local", 5, 2, List.of(clusterIp("default", "web", "10.43.0.99")), List.of()));

    assertThat(
            RecordIndexTest.strings(
                answer(query("web.default.svc.cluster.local.", Type.A), false)
                    .getSection(Section.ANSWER)))
        .containsExactly("A 10.43.0.99");
  }

  @Test
  void severalAddressesComeInRotatingOrder() throws Exception {
    Set<String> firsts = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Message query = query("big.default.svc.cluster.local.", Type.A);
      query.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
      Message response = answer(query, false);
      assertThat(response.getSection(Section.ANSWER)).hasSize(100);
      firsts.add(response.getSection(Section.ANSWER).getFirst().rdataToString());
    }

    assertThat(firsts).hasSizeGreaterThan(1);
  }

  @Test
  void udpAnswersLargerThan512BytesAreTruncated() throws Exception {
    for (int attempt = 0; attempt < 2; attempt++) {
      byte[] wire = handle(query("big.default.svc.cluster.local.", Type.A).toWire(), false);
      Message response = new Message(wire);

      assertThat(wire.length).isLessThanOrEqualTo(512);
      assertThat(response.getHeader().getFlag(Flags.TC)).isTrue();
    }
  }

  @Test
  void ednsRaisesTheUdpLimit() throws Exception {
    Message query = query("big.default.svc.cluster.local.", Type.A);
    query.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);

    for (int attempt = 0; attempt < 2; attempt++) {
      Message response = answer(query, false);

      assertThat(response.getHeader().getFlag(Flags.TC)).isFalse();
      assertThat(response.getSection(Section.ANSWER)).hasSize(100);
      assertThat(response.getOPT().getPayloadSize()).isEqualTo(QueryHandler.EDNS_PAYLOAD);
    }
  }

  @Test
  void tcpAnswersAreNeverTruncated() throws Exception {
    Message response = answer(query("big.default.svc.cluster.local.", Type.A), true);

    assertThat(response.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(response.getSection(Section.ANSWER)).hasSize(100);
  }

  @Test
  void unsupportedEdnsVersionIsBadvers() throws Exception {
    Message query = query("web.default.svc.cluster.local.", Type.A);
    query.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);

    assertThat(answer(query, false).getRcode()).isEqualTo(Rcode.BADVERS);
  }

  @Test
  void zoneTransfersAreRefused() throws Exception {
    assertThat(answer(query("cluster.local.", Type.AXFR), true).getRcode())
        .isEqualTo(Rcode.REFUSED);
  }

  @Test
  void otherOpcodesAreNotImplemented() throws Exception {
    Message query = query("cluster.local.", Type.SOA);
    query.getHeader().setOpcode(Opcode.UPDATE);

    Message response = answer(query, false);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(response.getHeader().getOpcode()).isEqualTo(Opcode.UPDATE);
  }

  record Malformed(String name, byte[] bytes) {}

  static Stream<Malformed> malformed() {
    byte[] header = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    List<Malformed> cases = new ArrayList<>();
    cases.add(new Malformed("question missing", header));
    cases.add(new Malformed("name runs past the end", concat(header, new byte[] {20, 'a', 'b'})));
    cases.add(
        new Malformed(
            "compression pointer loop", concat(header, new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1})));
    cases.add(
        new Malformed(
            "no question, two questions claimed",
            new byte[] {0x12, 0x34, 0x01, 0x00, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1}));
    cases.add(
        new Malformed(
            "zero questions", new byte[] {0x12, 0x34, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}));
    cases.add(
        new Malformed(
            "answer count beyond the message",
            concat(
                new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 9, 0, 0, 0, 0},
                new byte[] {0, 0, 1, 0, 1})));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedQueriesGetFormerr(Malformed m) {
    byte[] response = handler.handle(m.bytes(), m.bytes().length, false, r -> {});

    assertThat(response).hasSize(12);
    assertThat(response[0]).isEqualTo((byte) 0x12);
    assertThat(response[1]).isEqualTo((byte) 0x34);
    assertThat(response[2] & 0x80).as("QR").isEqualTo(0x80);
    assertThat(response[3] & 0x0F).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(80)];
      random.nextBytes(bytes);
      byte[] response = handler.handle(bytes, bytes.length, i % 2 == 0, r -> {});
      if (bytes.length < 12 || (bytes[2] & 0x80) != 0) {
        assertThat(response).isNull();
      } else {
        assertThat(response).hasSizeGreaterThanOrEqualTo(12);
        assertThat(response[2] & 0x80).isEqualTo(0x80);
      }
    }
  }

  @Test
  void shortMessagesAndResponsesAreDropped() throws Exception {
    byte[] response = query("web.default.svc.cluster.local.", Type.A).toWire();
    response[2] |= (byte) 0x80;

    assertThat(handler.handle(new byte[5], 5, false, r -> {})).isNull();
    assertThat(handler.handle(response, response.length, false, r -> {})).isNull();
  }

  private Message answer(Message query, boolean tcp) throws Exception {
    return new Message(handle(query.toWire(), tcp));
  }

  private byte[] handle(byte[] wire, boolean tcp) {
    byte[] response = handler.handle(wire, wire.length, tcp, r -> {});
    assertThat(response).isNotNull();
    return response;
  }

  static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
