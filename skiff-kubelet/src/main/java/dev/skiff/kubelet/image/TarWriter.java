package dev.skiff.kubelet.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a POSIX ustar stream: regular files, directories and symbolic links owned by root with a
 * fixed modification time, so equal input gives equal bytes. Names longer than 100 bytes are split
 * into the ustar prefix field.
 */
final class TarWriter implements AutoCloseable {
  private static final int BLOCK = 512;
  // tar(1) writes archives in records of 20 blocks; GNU tar --delete misreads shorter tails
  private static final int RECORD = 20 * BLOCK;

  private final OutputStream out;
  private long written;

  TarWriter(OutputStream out) {
    this.out = out;
  }

  void directory(String name, int mode) throws IOException {
    header(name.endsWith("/") ? name : name + "/", mode, 0, '5', "");
  }

  void file(String name, int mode, byte[] content) throws IOException {
    header(name, mode, content.length, '0', "");
    write(content);
    pad(content.length);
  }

  void symlink(String name, String target) throws IOException {
    header(name, 0777, 0, '2', target);
  }

  private void header(String name, int mode, long size, char type, String linkName)
      throws IOException {
    byte[] header = new byte[BLOCK];
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    String prefix = "";
    if (nameBytes.length > 100) {
      int split = splitPoint(name);
      prefix = name.substring(0, split);
      nameBytes = name.substring(split + 1).getBytes(StandardCharsets.UTF_8);
    }
    byte[] link = linkName.getBytes(StandardCharsets.UTF_8);
    if (link.length > 100) {
      throw new IllegalArgumentException("symlink target too long: " + linkName);
    }
    System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
    octal(header, 100, 8, mode & 07777);
    octal(header, 108, 8, 0);
    octal(header, 116, 8, 0);
    octal(header, 124, 12, size);
    octal(header, 136, 12, OciImageBuilder.FIXED_MTIME.getEpochSecond());
    header[156] = (byte) type;
    System.arraycopy(link, 0, header, 157, link.length);
    ascii(header, 257, "ustar\0");
    ascii(header, 263, "00");
    ascii(header, 265, "root");
    ascii(header, 297, "root");
    byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(prefixBytes, 0, header, 345, prefixBytes.length);
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    long checksum = 0;
    for (byte b : header) {
      checksum += b & 0xff;
    }
    String digits = String.format("%06o", checksum);
    ascii(header, 148, digits);
    header[154] = 0;
    header[155] = ' ';
    write(header);
  }

  /** The slash that splits a long name into a prefix of at most 155 and a name of 100 bytes. */
  private static int splitPoint(String name) {
    for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
      int prefixLength = name.substring(0, slash).getBytes(StandardCharsets.UTF_8).length;
      int rest = name.substring(slash + 1).getBytes(StandardCharsets.UTF_8).length;
      if (prefixLength <= 155 && rest <= 100 && rest > 0) {
        return slash;
      }
    }
    throw new IllegalArgumentException("tar entry name too long: " + name);
  }

  private static void octal(byte[] header, int offset, int length, long value) {
    String digits = String.format("%0" + (length - 1) + "o", value);
    if (digits.length() > length - 1) {
      throw new IllegalArgumentException("value too large for a tar header: " + value);
    }
    ascii(header, offset, digits);
    header[offset + length - 1] = 0;
  }

  private static void ascii(byte[] header, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, offset, bytes.length);
  }

  private void pad(long size) throws IOException {
    int remainder = (int) (size % BLOCK);
    if (remainder != 0) {
      write(new byte[BLOCK - remainder]);
    }
  }

  private void write(byte[] bytes) throws IOException {
    out.write(bytes);
    written += bytes.length;
  }

  /**
   * Two zero blocks end the archive, padded to a whole record; the underlying stream stays open.
   */
  @Override
  public void close() throws IOException {
    write(new byte[2 * BLOCK]);
    int tail = (int) (written % RECORD);
    if (tail != 0) {
      write(new byte[RECORD - tail]);
    }
    out.flush();
  }
}
