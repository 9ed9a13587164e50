package dev.skiff.dns;

import java.util.List;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/**
 * What the cluster's records say about one question: a response code and the records of each
 * section. {@code forwardable} marks names the cluster is not the authority for (outside the
 * cluster domain, or reverse names of addresses it does not know): an upstream answers them when
 * one is configured, otherwise this answer stands.
 */
public record Answer(
    int rcode,
    List<Record> answer,
    List<Record> authority,
    List<Record> additional,
    boolean forwardable) {

  public Answer {
    answer = List.copyOf(answer);
    authority = List.copyOf(authority);
    additional = List.copyOf(additional);
  }

  static Answer refused() {
    return new Answer(Rcode.REFUSED, List.of(), List.of(), List.of(), true);
  }

  /** True when the answer comes from the cluster's own records (the AA flag). */
  public boolean authoritative() {
    return rcode != Rcode.REFUSED;
  }
}
