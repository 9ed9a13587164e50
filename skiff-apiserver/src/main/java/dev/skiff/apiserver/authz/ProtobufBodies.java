package dev.skiff.apiserver.authz;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Decodes the Kubernetes protobuf request bodies of the few security APIs that typed clients
 * (kubectl's {@code auth can-i}, {@code auth whoami}, {@code create token}) send as protobuf: the
 * {@code k8s\0} envelope around a runtime.Unknown, whose raw bytes are decoded by a small field
 * schema into the same JSON tree a JSON body would give.
 */
public final class ProtobufBodies {
  public static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private ProtobufBodies() {}

  /** How one field of a message is decoded. */
  public sealed interface Field {
    String name();
  }

  public record Text(String name) implements Field {}

  public record TextList(String name) implements Field {}

  public record Int(String name) implements Field {}

  public record Message(String name, Map<Integer, Field> fields) implements Field {}

  /** map&lt;string, ExtraValue&gt; where ExtraValue is a list of strings. */
  public record ExtraMap(String name) implements Field {}

  public static final Map<Integer, Field> OBJECT_META =
      Map.of(1, new Text("name"), 2, new Text("generateName"), 3, new Text("namespace"));

  /** Whether the request body is protobuf. */
  public static boolean isProtobuf(String contentType) {
    return contentType != null && contentType.trim().startsWith(CONTENT_TYPE);
  }

  /** The envelope's object decoded by {@code schema} (top-level fields). */
  public static ObjectNode decode(byte[] body, Map<Integer, Field> schema) {
    try {
      if (body.length < MAGIC.length || !Arrays.equals(body, 0, 4, MAGIC, 0, 4)) {
        throw new IllegalArgumentException("missing k8s protobuf prefix");
      }
      Reader unknown = new Reader(body, 4, body.length);
      byte[] raw = null;
      ObjectNode typeMeta = Json.object();
      while (unknown.more()) {
        int tag = (int) unknown.varint();
        if (tag >>> 3 == 1 && (tag & 7) == 2) {
          Reader meta = unknown.sub();
          while (meta.more()) {
            int t = (int) meta.varint();
            if (t >>> 3 == 1 && (t & 7) == 2) {
              typeMeta.put("apiVersion", meta.string());
            } else if (t >>> 3 == 2 && (t & 7) == 2) {
              typeMeta.put("kind", meta.string());
            } else {
              meta.skip(t & 7);
            }
          }
        } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
          raw = unknown.bytes();
        } else {
          unknown.skip(tag & 7);
        }
      }
      ObjectNode object =
          raw == null ? Json.object() : message(new Reader(raw, 0, raw.length), schema);
      object.setAll(typeMeta);
      return object;
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      throw ApiException.badRequest("the body of the request was in an unknown format");
    }
  }

  private static ObjectNode message(Reader in, Map<Integer, Field> schema) {
    ObjectNode object = Json.object();
    while (in.more()) {
      int tag = (int) in.varint();
      Field field = schema.get(tag >>> 3);
      int wire = tag & 7;
      if (field == null) {
        in.skip(wire);
        continue;
      }
      switch (field) {
        case Text t -> object.put(t.name(), in.string());
        case TextList t -> {
          ArrayNode array =
              object.get(t.name()) instanceof ArrayNode a ? a : object.putArray(t.name());
          array.add(in.string());
        }
        case Int i -> object.put(i.name(), in.varint());
        case Message m -> object.set(m.name(), message(in.sub(), m.fields()));
        case ExtraMap m -> {
          ObjectNode map =
              object.get(m.name()) instanceof ObjectNode o ? o : object.putObject(m.name());
          Reader entry = in.sub();
          String key = "";
          ArrayNode values = Json.MAPPER.createArrayNode();
          while (entry.more()) {
            int t = (int) entry.varint();
            if (t >>> 3 == 1) {
              key = entry.string();
            } else if (t >>> 3 == 2) {
              Reader value = entry.sub();
              while (value.more()) {
                int vt = (int) value.varint();
                if (vt >>> 3 == 1) {
                  values.add(value.string());
                } else {
                  value.skip(vt & 7);
                }
              }
            } else {
              entry.skip(t & 7);
            }
          }
          map.set(key, values);
        }
      }
    }
    return object;
  }

  /** A protobuf wire-format reader over a byte range. */
  private static final class Reader {
    private final byte[] data;
    private int position;
    private final int end;

    Reader(byte[] data, int start, int end) {
      this.data = data;
      this.position = start;
      this.end = end;
    }

    boolean more() {
      return position < end;
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= end) {
          throw new IllegalArgumentException("truncated varint");
        }
        byte b = data[position++];
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("malformed varint");
    }

    private int length() {
      long length = varint();
      if (length < 0 || length > end - position) {
        throw new IllegalArgumentException("bad length");
      }
      return (int) length;
    }

    Reader sub() {
      int length = length();
      Reader sub = new Reader(data, position, position + length);
      position += length;
      return sub;
    }

    byte[] bytes() {
      int length = length();
      byte[] bytes = Arrays.copyOfRange(data, position, position + length);
      position += length;
      return bytes;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    void skip(int wire) {
      switch (wire) {
        case 0 -> varint();
        case 1 -> position += 8;
        case 2 -> {
          int length = length();
          position += length;
        }
        case 5 -> position += 4;
        default -> throw new IllegalArgumentException("unsupported wire type " + wire);
      }
      if (position > end) {
        throw new IllegalArgumentException("truncated field");
      }
    }
  }
}
