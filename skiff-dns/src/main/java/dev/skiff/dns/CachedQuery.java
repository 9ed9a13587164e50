package dev.skiff.dns;

import java.util.Arrays;

/**
 * The shape of query the response cache serves, read straight from the wire: a standard query with
 * one uncompressed question of class IN, no answer or authority records, and at most one EDNS
 * version 0 OPT record. Anything else returns null from {@link #parse} and takes the full path.
 */
final class CachedQuery {
  private static final int TYPE_OPT = 41;
  private static final int TYPE_AXFR = 252;
  private static final int TYPE_IXFR = 251;
  private static final int CLASS_IN = 1;

  final Key key;
  final int nameEnd;
  final int udpLimit;

  private CachedQuery(Key key, int nameEnd, int udpLimit) {
    this.key = key;
    this.nameEnd = nameEnd;
    this.udpLimit = udpLimit;
  }

  static CachedQuery parse(byte[] q, int length, boolean tcp) {
    if (length < QueryHandler.HEADER_LENGTH
        || ((q[2] >> 3) & 0x0F) != 0
        || u16(q, 4) != 1
        || u16(q, 6) != 0
        || u16(q, 8) != 0) {
      return null;
    }
    int additional = u16(q, 10);
    if (additional > 1) {
      return null;
    }
    int pos = QueryHandler.HEADER_LENGTH;
    while (true) {
      if (pos >= length) {
        return null;
      }
      int label = q[pos] & 0xFF;
      if (label == 0) {
        pos++;
        break;
      }
      if (label > 63) {
        return null;
      }
      pos += label + 1;
      if (pos - QueryHandler.HEADER_LENGTH > 255) {
        return null;
      }
    }
    int nameEnd = pos;
    if (pos + 4 > length) {
      return null;
    }
    int type = u16(q, pos);
    if (type == TYPE_AXFR || type == TYPE_IXFR || type == TYPE_OPT || u16(q, pos + 2) != CLASS_IN) {
      return null;
    }
    pos += 4;
    boolean edns = false;
    int udpLimit = 512;
    if (additional == 1) {
      if (pos + 11 > length
          || q[pos] != 0
          || u16(q, pos + 1) != TYPE_OPT
          || q[pos + 6] != 0 /* EDNS version */) {
        return null;
      }
      edns = true;
      udpLimit = Math.max(512, u16(q, pos + 3));
      pos += 11 + u16(q, pos + 9);
    }
    if (pos != length) {
      return null;
    }
    return new CachedQuery(
        new Key(q, nameEnd, type, edns), nameEnd, tcp ? Integer.MAX_VALUE : udpLimit);
  }

  /** The cached response with this query's ID, RD flag and spelling of the name. */
  byte[] patch(byte[] cached, byte[] query) {
    byte[] response = cached.clone();
    response[0] = query[0];
    response[1] = query[1];
    response[2] |= (byte) (query[2] & 0x01);
    System.arraycopy(
        query,
        QueryHandler.HEADER_LENGTH,
        response,
        QueryHandler.HEADER_LENGTH,
        nameEnd - QueryHandler.HEADER_LENGTH);
    return response;
  }

  /** A response as the cache keeps it: ID zero and RD clear, so {@link #patch} can fill them in. */
  static byte[] normalize(byte[] response) {
    byte[] normalized = response.clone();
    normalized[0] = 0;
    normalized[1] = 0;
    normalized[2] &= (byte) ~0x01;
    return normalized;
  }

  private static int u16(byte[] bytes, int at) {
    return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
  }

  /** The question's name in lower case (wire form), its type, and whether EDNS was used. */
  static final class Key {
    private final byte[] name;
    private final int type;
    private final boolean edns;
    private final int hash;

    Key(byte[] query, int nameEnd, int type, boolean edns) {
      this.name = Arrays.copyOfRange(query, QueryHandler.HEADER_LENGTH, nameEnd);
      // label length bytes are below 64, so lower-casing every byte only touches letters
      for (int i = 0; i < name.length; i++) {
        byte b = name[i];
        if (b >= 'A' && b <= 'Z') {
          name[i] = (byte) (b + ('a' - 'A'));
        }
      }
      this.type = type;
      this.edns = edns;
      this.hash = (Arrays.hashCode(name) * 31 + type) * 2 + (edns ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.hash == hash
          && k.type == type
          && k.edns == edns
          && Arrays.equals(k.name, name);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
