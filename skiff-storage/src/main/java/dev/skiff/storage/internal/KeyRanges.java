package dev.skiff.storage.internal;

/** Key-range arithmetic shared by the backends: a prefix is the range [prefix, prefixEnd). */
public final class KeyRanges {
  private KeyRanges() {}

  /**
   * The smallest string greater than every string starting with {@code prefix}, or null when there
   * is none (the empty prefix, or one made only of {@code \uFFFF}).
   */
  public static String prefixEnd(String prefix) {
    StringBuilder end = new StringBuilder(prefix);
    while (!end.isEmpty()) {
      int last = end.length() - 1;
      char c = end.charAt(last);
      if (c != Character.MAX_VALUE) {
        end.setCharAt(last, (char) (c + 1));
        return end.toString();
      }
      end.setLength(last);
    }
    return null;
  }

  /** Whether {@code key} lies in the range the range/watch arguments select. */
  public static boolean matches(String key, String prefix) {
    return key.startsWith(prefix);
  }
}
