package dev.skiff.storage.sqlite;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link SqliteStoreTest}'s kill test: writers create keys for ever and print
 * {@code ACK <key> <revision>} once each create returned, until the parent kills the process.
 */
public final class SqliteAckWriter {
  private SqliteAckWriter() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    SqliteStore store = new SqliteStore(Path.of(args[0]));
    int writers = Integer.parseInt(args[1]);
    Thread[] threads = new Thread[writers];
    for (int w = 0; w < writers; w++) {
      int writer = w;
      threads[w] =
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; ; i++) {
                      String key = "/ack/" + writer + "/" + i;
                      long revision =
                          store.create(key, ("value-" + i).getBytes(StandardCharsets.UTF_8));
                      synchronized (out) {
                        out.println("ACK " + key + " " + revision);
                        out.flush();
                      }
                    }
                  });
    }
    for (Thread thread : threads) {
      thread.join();
    }
  }
}
