package dev.skiff.dns;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns query bytes into response bytes. The common query (one question, class IN, at most an EDNS
 * OPT record) is answered from a cache of finished responses: a lookup on the lower-cased name, a
 * copy, and the query's ID, RD flag and spelling of the name written in. Everything else, and the
 * first query for each name, goes through dnsjava's parser and the {@link RecordIndex}. The cache
 * belongs to one index and is dropped with it.
 */
final class QueryHandler {
  private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);

  /** The UDP payload size this server advertises in EDNS responses (the DNS flag day value). */
  static final int EDNS_PAYLOAD = 1232;

  static final int HEADER_LENGTH = 12;
  private static final int MAX_UDP_LIMIT = 65535;
  private static final int MAX_CACHED = 100_000;
  private static final int MAX_ROTATIONS = 8;

  private final UpstreamForwarder forwarder;
  private volatile Snapshot snapshot;

  /**
   * @param forwarder where names the cluster is not the authority for go, or null to answer them
   *     REFUSED (outside the cluster domain) or NXDOMAIN (unknown reverse names)
   */
  QueryHandler(RecordIndex index, UpstreamForwarder forwarder) {
    this.forwarder = forwarder;
    this.snapshot = new Snapshot(index);
  }

  void setIndex(RecordIndex index) {
    snapshot = new Snapshot(index);
  }

  RecordIndex index() {
    return snapshot.index;
  }

  /**
   * Answers one query.
   *
   * @param later receives the response of a query sent to an upstream, on another thread
   * @return the response, or null when nothing is to be sent now: the message is a response or
   *     shorter than a header (dropped), or it went upstream
   */
  byte[] handle(byte[] query, int length, boolean tcp, Consumer<byte[]> later) {
    if (length < HEADER_LENGTH || (query[2] & 0x80) != 0) {
      return null;
    }
    Snapshot current = snapshot;
    try {
      CachedQuery cached = CachedQuery.parse(query, length, tcp);
      if (cached != null) {
        byte[][] variants = current.cache.get(cached.key);
        byte[] response = variants == null ? null : variants[pick(variants.length)];
        if (response != null && response.length <= cached.udpLimit) {
          return cached.patch(response, query);
        }
      }
      return parseAndAnswer(query, length, tcp, cached, current, later);
    } catch (RuntimeException e) {
      log.warn("event=dns_query_failed error={}", e.toString());
      return errorResponse(query, length, Rcode.SERVFAIL);
    }
  }

  private byte[] parseAndAnswer(
      byte[] bytes,
      int length,
      boolean tcp,
      CachedQuery cacheable,
      Snapshot current,
      Consumer<byte[]> later) {
    Message query;
    try {
      query = new Message(Arrays.copyOf(bytes, length));
    } catch (IOException | RuntimeException e) {
      return headerOnly(bytes, Rcode.FORMERR);
    }
    Header header = query.getHeader();
    if (header.getOpcode() != Opcode.QUERY) {
      return errorResponse(bytes, length, Rcode.NOTIMP);
    }
    if (header.getCount(Section.QUESTION) != 1) {
      return headerOnly(bytes, Rcode.FORMERR);
    }
    OPTRecord opt = query.getOPT();
    if (opt != null && opt.getVersion() > 0) {
      Message response = responseTo(query, Rcode.NOERROR, false);
      response.removeAllRecords(Section.ADDITIONAL);
      response.addRecord(new OPTRecord(EDNS_PAYLOAD, Rcode.BADVERS >> 4, 0, 0), Section.ADDITIONAL);
      return response.toWire();
    }
    Record question = query.getQuestion();
    int type = question.getType();
    Answer answer;
    if ((question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY)
        || type == Type.AXFR
        || type == Type.IXFR) {
      answer = Answer.refused();
    } else {
      answer = current.index.lookup(question.getName(), type);
    }
    if (answer.forwardable() && forwarder != null) {
      forwarder.forward(Arrays.copyOf(bytes, length), tcp, later);
      return null;
    }
    List<Message> variants = new ArrayList<>();
    for (List<Record> records : rotations(answer.answer())) {
      Message response = responseTo(query, answer.rcode(), answer.authoritative());
      records.forEach(r -> response.addRecord(r, Section.ANSWER));
      answer.authority().forEach(r -> response.addRecord(r, Section.AUTHORITY));
      answer.additional().forEach(r -> response.addRecord(r, Section.ADDITIONAL));
      variants.add(response);
    }
    byte[][] wires = new byte[variants.size()][];
    for (int i = 0; i < wires.length; i++) {
      wires[i] = variants.get(i).toWire();
    }
    if (cacheable != null) {
      byte[][] normalized = new byte[wires.length][];
      for (int i = 0; i < wires.length; i++) {
        normalized[i] = CachedQuery.normalize(wires[i]);
      }
      current.put(cacheable.key, normalized);
    }
    int chosen = pick(wires.length);
    int limit = tcp ? MAX_UDP_LIMIT : opt == null ? 512 : Math.max(512, opt.getPayloadSize());
    return wires[chosen].length <= limit ? wires[chosen] : variants.get(chosen).toWire(limit);
  }

  /**
   * Orders in which to give several addresses, so that clients taking the first one spread over all
   * of them (what CoreDNS' loadbalance plugin does by shuffling): the answer itself, rotated, when
   * it holds only A and AAAA records; at most {@link #MAX_ROTATIONS} of them.
   */
  private static List<List<Record>> rotations(List<Record> answer) {
    boolean addresses =
        answer.size() > 1
            && answer.stream().allMatch(r -> r.getType() == Type.A || r.getType() == Type.AAAA);
    if (!addresses) {
      return List.of(answer);
    }
    List<List<Record>> rotations = new ArrayList<>();
    for (int shift = 0; shift < Math.min(answer.size(), MAX_ROTATIONS); shift++) {
      List<Record> rotated = new ArrayList<>(answer);
      Collections.rotate(rotated, -shift);
      rotations.add(rotated);
    }
    return rotations;
  }

  private static int pick(int variants) {
    return variants == 1 ? 0 : ThreadLocalRandom.current().nextInt(variants);
  }

  /** A response echoing the question (and EDNS when the query used it), without records yet. */
  private static Message responseTo(Message query, int rcode, boolean authoritative) {
    Message response = new Message(query.getHeader().getID());
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    if (query.getHeader().getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
    }
    if (authoritative) {
      header.setFlag(Flags.AA);
    }
    header.setRcode(rcode);
    response.addRecord(query.getQuestion(), Section.QUESTION);
    if (query.getOPT() != null) {
      response.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0, 0), Section.ADDITIONAL);
    }
    return response;
  }

  /**
   * An error response that echoes the question when the query has one readable question (clients
   * such as dnsjava insist on it), else a bare header.
   */
  static byte[] errorResponse(byte[] query, int length, int rcode) {
    int end = questionEnd(query, length);
    if (end < 0) {
      return headerOnly(query, rcode);
    }
    byte[] response = Arrays.copyOf(query, end);
    response[2] = (byte) (0x80 | (query[2] & 0x79));
    response[3] = (byte) (rcode & 0x0F);
    Arrays.fill(response, 6, HEADER_LENGTH, (byte) 0);
    return response;
  }

  /** Where the single uncompressed question of {@code query} ends, or -1. */
  private static int questionEnd(byte[] query, int length) {
    if (length < HEADER_LENGTH || query[4] != 0 || query[5] != 1) {
      return -1;
    }
    int pos = HEADER_LENGTH;
    while (pos < length) {
      int label = query[pos] & 0xFF;
      if (label == 0) {
        return pos + 5 <= length ? pos + 5 : -1;
      }
      if (label > 63) {
        return -1;
      }
      pos += label + 1;
    }
    return -1;
  }

  /** A bare header answering {@code query}: its ID, opcode and RD flag, with {@code rcode}. */
  static byte[] headerOnly(byte[] query, int rcode) {
    byte[] response = new byte[HEADER_LENGTH];
    response[0] = query[0];
    response[1] = query[1];
    response[2] = (byte) (0x80 | (query[2] & 0x79));
    response[3] = (byte) (rcode & 0x0F);
    return response;
  }

  private static final class Snapshot {
    final RecordIndex index;
    final Map<CachedQuery.Key, byte[][]> cache = new ConcurrentHashMap<>();

    Snapshot(RecordIndex index) {
      this.index = index;
    }

    void put(CachedQuery.Key key, byte[][] responses) {
      if (cache.size() >= MAX_CACHED) {
        // names asked once (search-path guesses) must not grow the cache without bound
        cache.clear();
      }
      cache.put(key, responses);
    }
  }
}
