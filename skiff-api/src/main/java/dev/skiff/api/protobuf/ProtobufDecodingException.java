package dev.skiff.api.protobuf;

/** A protobuf body that cannot be decoded (the API answers 400 BadRequest). */
public final class ProtobufDecodingException extends RuntimeException {
  public ProtobufDecodingException(String message) {
    super(message);
  }
}
