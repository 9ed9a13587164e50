package dev.skiff.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DnsOptionsTest {
  record Address(String name, String text, String host, int port) {}

  static Stream<Address> addresses() {
    return Stream.of(
        new Address("IPv4 with port", "10.43.0.10:5353", "10.43.0.10", 5353),
        new Address("IPv4 alone takes the default port", "1.1.1.1", "1.1.1.1", 53),
        new Address("IPv6 in brackets", "[fd00::10]:53", "fd00:0:0:0:0:0:0:10", 53),
        new Address("IPv6 alone", "fd00::10", "fd00:0:0:0:0:0:0:10", 53),
        new Address("any address", "0.0.0.0:53", "0.0.0.0", 53));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("addresses")
  void parsesAddresses(Address a) {
    InetSocketAddress parsed = DnsOptions.parseAddress(a.text(), 53);

    assertThat(parsed.getAddress().getHostAddress()).isEqualTo(a.host());
    assertThat(parsed.getPort()).isEqualTo(a.port());
  }

  @Test
  void refusesHostNamesAndBadPorts() {
    assertThatThrownBy(() -> DnsOptions.parseAddress("dns.example.com:53", 53))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> DnsOptions.parseAddress("10.0.0.1:99999", 53))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid port");
    assertThatThrownBy(() -> DnsOptions.parseAddress("[fd00::1", 53))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void validatesTheOptions() {
    DnsOptions defaults = DnsOptions.forTests();

    assertThat(defaults.ttl()).isEqualTo(5);
    assertThat(defaults.clusterDomain()).isEqualTo("cluster.local");
    assertThat(defaults.upstreams()).isEmpty();
    assertThatThrownBy(
            () -> new DnsOptions(defaults.listenAddress(), 70000, "cluster.local", List.of(), 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new DnsOptions(defaults.listenAddress(), 0, "bad..domain", List.of(), 5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
