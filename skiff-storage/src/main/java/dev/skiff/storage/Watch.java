package dev.skiff.storage;

/** A running {@link Store#watch}; closing it stops delivery. */
public interface Watch extends AutoCloseable {
  @Override
  void close();
}
