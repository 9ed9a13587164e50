package dev.skiff.proxy.netpol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** IPv4 CIDR arithmetic for ipBlocks: parsing, containment and subtraction of excepted blocks. */
final class Cidrs {
  private Cidrs() {}

  /** An IPv4 block: the network address (host bits cleared) and the prefix length. */
  record Block(long address, int bits) {
    long size() {
      return 1L << (32 - bits);
    }

    boolean contains(Block other) {
      return other.bits >= bits && (other.address & mask(bits)) == address;
    }

    boolean contains(long ip) {
      return (ip & mask(bits)) == address;
    }

    @Override
    public String toString() {
      return format(address) + "/" + bits;
    }
  }

  /** True for a dotted-quad IPv4 address (as opposed to IPv6). */
  static boolean isIpv4(String address) {
    return address != null && address.indexOf(':') < 0 && address.indexOf('.') > 0;
  }

  /** Parses {@code a.b.c.d/n} (host bits are cleared, as the kernel does) or a bare address. */
  static Block parse(String cidr) {
    int slash = cidr.indexOf('/');
    long address = parseAddress(slash < 0 ? cidr : cidr.substring(0, slash));
    int bits = slash < 0 ? 32 : Integer.parseInt(cidr.substring(slash + 1));
    if (bits < 0 || bits > 32) {
      throw new IllegalArgumentException("invalid CIDR " + cidr);
    }
    return new Block(address & mask(bits), bits);
  }

  static long parseAddress(String address) {
    String[] octets = address.split("\\.");
    if (octets.length != 4) {
      throw new IllegalArgumentException("invalid IPv4 address " + address);
    }
    long value = 0;
    for (String octet : octets) {
      int n = Integer.parseInt(octet);
      if (n < 0 || n > 255) {
        throw new IllegalArgumentException("invalid IPv4 address " + address);
      }
      value = (value << 8) | n;
    }
    return value;
  }

  /** Whether {@code ip} lies in {@code cidr} and in none of {@code except}. */
  static boolean contains(String cidr, List<String> except, String ip) {
    long address = parseAddress(ip);
    if (!parse(cidr).contains(address)) {
      return false;
    }
    return except.stream().noneMatch(e -> parse(e).contains(address));
  }

  /**
   * {@code cidr} without the {@code except} blocks, as the fewest CIDRs, in address order: what an
   * iptables rule, which cannot say "but not", matches instead.
   */
  static List<String> subtract(String cidr, List<String> except) {
    List<Block> blocks = new ArrayList<>(List.of(parse(cidr)));
    for (String e : except) {
      Block hole = parse(e);
      List<Block> next = new ArrayList<>();
      for (Block block : blocks) {
        if (hole.contains(block)) {
          continue;
        }
        if (!block.contains(hole)) {
          next.add(block);
          continue;
        }
        // split around the hole: at each level keep the half that does not hold it
        Block current = block;
        while (current.bits < hole.bits) {
          int bits = current.bits + 1;
          Block low = new Block(current.address, bits);
          Block high = new Block(current.address + (current.size() >> 1), bits);
          if (low.contains(hole)) {
            next.add(high);
            current = low;
          } else {
            next.add(low);
            current = high;
          }
        }
      }
      blocks = next;
    }
    return blocks.stream()
        .sorted(Comparator.comparingLong(Block::address))
        .map(Block::toString)
        .toList();
  }

  private static long mask(int bits) {
    return bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
  }

  private static String format(long address) {
    return ((address >> 24) & 255)
        + "."
        + ((address >> 16) & 255)
        + "."
        + ((address >> 8) & 255)
        + "."
        + (address & 255);
  }
}
