package dev.skiff.api.protobuf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads protobuf wire format from a byte range; every overrun is a decoding error. */
final class WireReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private final byte[] bytes;
  private int position;
  private final int end;

  WireReader(byte[] bytes, int from, int end) {
    this.bytes = bytes;
    this.position = from;
    this.end = end;
  }

  boolean hasMore() {
    return position < end;
  }

  int readTag() {
    long tag = readVarint();
    if (tag >>> 3 == 0 || tag > Integer.MAX_VALUE) {
      throw new ProtobufDecodingException("invalid field tag " + tag);
    }
    return (int) tag;
  }

  long readVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= end) {
        throw new ProtobufDecodingException("truncated varint");
      }
      byte b = bytes[position++];
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new ProtobufDecodingException("varint longer than 10 bytes");
  }

  long readFixed64() {
    require(8);
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (bytes[position + i] & 0xffL);
    }
    position += 8;
    return value;
  }

  int readFixed32() {
    require(4);
    int value = 0;
    for (int i = 3; i >= 0; i--) {
      value = (value << 8) | (bytes[position + i] & 0xff);
    }
    position += 4;
    return value;
  }

  byte[] readBytes() {
    int length = readLength();
    byte[] value = Arrays.copyOfRange(bytes, position, position + length);
    position += length;
    return value;
  }

  String readString() {
    int length = readLength();
    String value = new String(bytes, position, length, StandardCharsets.UTF_8);
    position += length;
    return value;
  }

  /** A reader over the next length-delimited field, without copying. */
  WireReader readMessage() {
    int length = readLength();
    WireReader inner = new WireReader(bytes, position, position + length);
    position += length;
    return inner;
  }

  void skip(int wireType) {
    switch (wireType) {
      case VARINT -> readVarint();
      case FIXED64 -> {
        require(8);
        position += 8;
      }
      case LENGTH_DELIMITED -> {
        int length = readLength(); // read before adding: readLength moves the position
        position += length;
      }
      case FIXED32 -> {
        require(4);
        position += 4;
      }
      default -> throw new ProtobufDecodingException("unsupported wire type " + wireType);
    }
  }

  private int readLength() {
    long length = readVarint();
    if (length < 0 || length > end - position) {
      throw new ProtobufDecodingException("length " + length + " overruns the message");
    }
    return (int) length;
  }

  private void require(int count) {
    if (end - position < count) {
      throw new ProtobufDecodingException("truncated fixed-width field");
    }
  }
}
