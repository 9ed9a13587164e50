package dev.skiff.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.iptables.IptablesProxier;
import dev.skiff.proxy.nftables.NftablesProxier;
import dev.skiff.proxy.state.Endpoint;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServicePortInfo;
import dev.skiff.proxy.state.ServicePortName;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real traffic through a ClusterIP: a client namespace (with the proxy's rules) joined by a veth
 * pair to a "pods" namespace whose server answers on two endpoint addresses. Nothing routes outside
 * the two namespaces.
 */
class TrafficIT {
  private static final ServicePortName WEB = new ServicePortName("default", "web", "http", "TCP");

  private TestNetns client;
  private TestNetns pods;
  private Process server;

  @BeforeEach
  void wireNamespaces() throws IOException {
    client = TestNetns.create("skiff-tc");
    pods = TestNetns.create("skiff-tp");
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    String clientEnd = "skc" + suffix;
    String podsEnd = "skp" + suffix;
    host("ip", "link", "add", clientEnd, "type", "veth", "peer", "name", podsEnd);
    host("ip", "link", "set", clientEnd, "netns", client.name());
    host("ip", "link", "set", podsEnd, "netns", pods.name());
    client.run("ip", "addr", "add", "10.42.0.1/24", "dev", clientEnd);
    client.run("ip", "link", "set", clientEnd, "up");
    client.run("ip", "route", "add", "10.43.0.0/16", "dev", clientEnd);
    pods.run("ip", "addr", "add", "10.42.0.2/24", "dev", podsEnd);
    pods.run("ip", "addr", "add", "10.42.0.3/24", "dev", podsEnd);
    pods.run("ip", "link", "set", podsEnd, "up");
    server = java(pods, "server", "8080").start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("ready");
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (server != null) {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
    client.close();
    pods.close();
  }

  @ParameterizedTest
  @EnumSource(
      value = ProxyMode.class,
      names = {"IPTABLES", "NFTABLES"})
  void clusterIpTrafficReachesEveryEndpoint(ProxyMode mode) throws Exception {
    ProxyState state =
        new ProxyState(
            Map.of(WEB, ServicePortInfo.clusterIP(WEB, "10.43.0.100", 80)),
            Map.of(
                WEB,
                List.of(
                    new Endpoint("10.42.0.2", 8080, true, true, false, false),
                    new Endpoint("10.42.0.3", 8080, true, true, false, false))));
    Proxier proxier =
        mode == ProxyMode.IPTABLES
            ? new IptablesProxier(client.runner(), "10.42.0.0/16")
            : new NftablesProxier(client.runner(), "10.42.0.0/16");
    proxier.sync(state);

    Process calls = java(client, "client", "10.43.0.100", "80", "30").start();
    String output = new String(calls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(calls.waitFor(60, TimeUnit.SECONDS)).isTrue();

    List<String> answers = output.lines().toList();
    assertThat(answers).hasSize(30).containsOnly("10.42.0.2", "10.42.0.3");
    assertThat(answers).contains("10.42.0.2", "10.42.0.3");
  }

  @ParameterizedTest
  @EnumSource(
      value = ProxyMode.class,
      names = {"IPTABLES", "NFTABLES"})
  void loadBalancerIngressOnTheNodeIpReachesEveryEndpoint(ProxyMode mode) throws Exception {
    // the client namespace is the node; servicelb lists its IP as the ingress (ipMode VIP)
    client.run("ip", "link", "set", "lo", "up");
    client.run("ip", "addr", "add", "192.0.2.1/32", "dev", "lo");
    ProxyState state =
        new ProxyState(
            Map.of(
                WEB,
                new ServicePortInfo(
                    WEB,
                    "10.43.0.100",
                    8081,
                    30081,
                    List.of(),
                    List.of("192.0.2.1"),
                    0,
                    false,
                    false)),
            Map.of(
                WEB,
                List.of(
                    new Endpoint("10.42.0.2", 8080, true, true, false, false),
                    new Endpoint("10.42.0.3", 8080, true, true, false, false))));
    Proxier proxier =
        mode == ProxyMode.IPTABLES
            ? new IptablesProxier(client.runner(), "10.42.0.0/16")
            : new NftablesProxier(client.runner(), "10.42.0.0/16");
    proxier.sync(state);

    Process calls = java(client, "client", "192.0.2.1", "8081", "30").start();
    String output = new String(calls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(calls.waitFor(60, TimeUnit.SECONDS)).isTrue();

    List<String> answers = output.lines().toList();
    assertThat(answers).hasSize(30).containsOnly("10.42.0.2", "10.42.0.3");
    assertThat(answers).contains("10.42.0.2", "10.42.0.3");
  }

  private static ProcessBuilder java(TestNetns netns, String... args) {
    List<String> command = new ArrayList<>();
    command.add("nsenter");
    command.add("--net=/run/netns/" + netns.name());
    command.add("--");
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(NetnsEcho.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
  }

  private static void host(String... command) {
    CommandRunner.Result result = CommandRunner.host().run(List.of(command), "");
    assertThat(result.ok()).as(String.join(" ", command) + ": " + result.stderr()).isTrue();
  }
}
