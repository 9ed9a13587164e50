package dev.skiff.kubelet.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** A test-side ustar reader: the entries of an archive in order, by name. */
final class TarEntries {
  record Entry(String name, char type, int mode, long mtime, String linkName, byte[] content) {
    String text() {
      return new String(content, StandardCharsets.UTF_8);
    }
  }

  private TarEntries() {}

  static Map<String, Entry> read(byte[] tar) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    int offset = 0;
    while (offset + 512 <= tar.length && tar[offset] != 0) {
      String name = field(tar, offset, 100);
      String prefix = field(tar, offset + 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      int mode = (int) octal(tar, offset + 100, 8);
      long size = octal(tar, offset + 124, 12);
      long mtime = octal(tar, offset + 136, 12);
      long checksum = octal(tar, offset + 148, 8);
      long sum = 0;
      for (int i = 0; i < 512; i++) {
        sum += (i >= 148 && i < 156) ? ' ' : tar[offset + i] & 0xff;
      }
      if (sum != checksum) {
        throw new IllegalStateException("bad checksum for " + name);
      }
      char type = (char) tar[offset + 156];
      String link = field(tar, offset + 157, 100);
      byte[] content = new byte[(int) size];
      System.arraycopy(tar, offset + 512, content, 0, (int) size);
      entries.put(name, new Entry(name, type, mode, mtime, link, content));
      offset += 512 + (int) ((size + 511) / 512 * 512);
    }
    return entries;
  }

  static byte[] gunzip(byte[] gzipped) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String field(byte[] tar, int offset, int length) {
    int end = offset;
    while (end < offset + length && tar[end] != 0) {
      end++;
    }
    return new String(tar, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] tar, int offset, int length) {
    String text = field(tar, offset, length).trim();
    return text.isEmpty() ? 0 : Long.parseLong(text, 8);
  }
}
