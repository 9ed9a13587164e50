package dev.skiff.apiserver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.proxy.ResourceUsage.Reading;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The proxy's small parts: parsing, formatting, address choice, the byte relay. */
class ProxyPartsTest {

  // ---- Prometheus text

  @Test
  void prometheusSamplesWithLabelsEscapesAndTimestamps() {
    List<PrometheusText.Sample> samples =
        PrometheusText.parse(
            """
            # HELP node_cpu_usage_seconds_total Cumulative cpu time
            # TYPE node_cpu_usage_seconds_total counter
            node_cpu_usage_seconds_total 12.5 1700000000123

            container_memory_working_set_bytes{container="a\\"b",namespace="ns",pod="p"} 1.5e+06 1700000000000
            scrape_error 0
            broken{unterminated="x 1
            not_a_number abc
            """);

    assertThat(samples).hasSize(3);
    assertThat(samples.get(0))
        .isEqualTo(
            new PrometheusText.Sample(
                "node_cpu_usage_seconds_total", Map.of(), 12.5, 1700000000123L));
    assertThat(samples.get(1).labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("container", "a\"b", "namespace", "ns", "pod", "p"));
    assertThat(samples.get(1).value()).isEqualTo(1_500_000.0);
    assertThat(samples.get(2).timestampMillis()).isNull();
  }

  @Test
  void aScrapeWithoutNodeSamplesIsNoScrape() {
    assertThat(ResourceMetricsScraper.parse("scrape_error 1\n", Instant.EPOCH)).isNull();
  }

  @Test
  void aScrapeKeepsContainersWithBothCpuAndMemory() {
    var scrape =
        ResourceMetricsScraper.parse(
            """
            node_cpu_usage_seconds_total 10 1000
            node_memory_working_set_bytes 2048 1000
            container_cpu_usage_seconds_total{container="c",namespace="n",pod="p"} 1 1000
            container_memory_working_set_bytes{container="c",namespace="n",pod="p"} 512 1000
            container_cpu_usage_seconds_total{container="d",namespace="n",pod="p"} 1 1000
            """,
            Instant.EPOCH);

    assertThat(scrape.node()).isEqualTo(new Reading(10, 2048, Instant.ofEpochMilli(1000)));
    assertThat(scrape.containers())
        .containsOnlyKeys(new ResourceMetricsScraper.ContainerKey("n", "p", "c"));
  }

  // ---- usage and its formatting

  @Test
  void cpuIsTheRateBetweenTwoReadings() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    ResourceUsage usage =
        ResourceUsage.between(
            new Reading(100, 1, t0), new Reading(101.5, 4096, t0.plusSeconds(10)));

    assertThat(usage.nanocores()).isEqualTo(150_000_000L);
    assertThat(usage.memoryBytes()).isEqualTo(4096);
    assertThat(usage.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(usage.timestamp()).isEqualTo(t0.plusSeconds(10));
  }

  @Test
  void readingsAtTheSameTimeOrAfterAResetMakeNoWindow() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(ResourceUsage.between(new Reading(1, 1, t0), new Reading(2, 1, t0))).isNull();
    assertThat(ResourceUsage.between(new Reading(5, 1, t0), new Reading(2, 1, t0.plusSeconds(1))))
        .isNull();
    assertThat(ResourceUsage.between(null, new Reading(2, 1, t0))).isNull();
  }

  record Format(String name, long nanocores, String cpu) {}

  static Stream<Format> cpuFormats() {
    return Stream.of(
        new Format("nanocores", 123_456_789, "123456789n"),
        new Format("whole microcores", 5_000, "5u"),
        new Format("whole millicores", 250_000_000, "250m"),
        new Format("whole cores", 2_000_000_000L, "2"),
        new Format("zero", 0, "0"));
  }

  @ParameterizedTest
  @MethodSource("cpuFormats")
  void cpuIsWrittenAsMetricsServerWritesIt(Format format) {
    assertThat(MetricsHandler.cpu(format.nanocores())).isEqualTo(format.cpu());
  }

  record GoDuration(String name, Duration duration, String text) {}

  static Stream<GoDuration> durations() {
    return Stream.of(
        new GoDuration("seconds", Duration.ofSeconds(15), "15s"),
        new GoDuration("fraction", Duration.ofMillis(10_047), "10.047s"),
        new GoDuration("minutes", Duration.ofMillis(60_250), "1m0.25s"),
        new GoDuration("hours", Duration.ofSeconds(3_601), "1h0m1s"),
        new GoDuration("milliseconds", Duration.ofMillis(500), "500ms"),
        new GoDuration("zero", Duration.ZERO, "0s"));
  }

  @ParameterizedTest
  @MethodSource("durations")
  void windowsAreWrittenAsGoDurations(GoDuration duration) {
    assertThat(MetricsHandler.goDuration(duration.duration())).isEqualTo(duration.text());
  }

  // ---- targets and addresses

  record Target(String name, String id, ProxyTarget parsed) {}

  static Stream<Target> targets() {
    return Stream.of(
        new Target("name", "web", new ProxyTarget("", "web", "")),
        new Target("name and port", "web:8080", new ProxyTarget("", "web", "8080")),
        new Target("port name", "web:http", new ProxyTarget("", "web", "http")),
        new Target("scheme", "https:web:443", new ProxyTarget("https", "web", "443")),
        new Target("scheme without port", "https:web:", new ProxyTarget("https", "web", "")));
  }

  @ParameterizedTest
  @MethodSource("targets")
  void proxyTargets(Target target) {
    assertThat(ProxyTarget.parse(target.id())).isEqualTo(target.parsed());
  }

  @Test
  void anUnknownSchemeIsABadRequest() {
    assertThatThrownBy(() -> ProxyTarget.parse("ftp:web:21"))
        .isInstanceOf(ApiException.class)
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(400);
  }

  @Test
  void theKubeletAddressPrefersInternalIpAndTheAdvertisedPort() {
    var node =
        Json.parseObject(
            """
            {"status":{"addresses":[{"type":"Hostname","address":"n1"},
                                    {"type":"InternalIP","address":"10.0.0.5"}],
                       "daemonEndpoints":{"kubeletEndpoint":{"Port":10555}}}}
            """
                .getBytes(StandardCharsets.UTF_8));
    var hostnameOnly =
        Json.parseObject(
            "{\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"n1\"}]}}"
                .getBytes(StandardCharsets.UTF_8));

    assertThat(KubeletEndpoint.of(node)).isEqualTo(new KubeletEndpoint("10.0.0.5", 10555));
    assertThat(KubeletEndpoint.of(hostnameOnly)).isEqualTo(new KubeletEndpoint("n1", 10250));
    assertThat(new KubeletEndpoint("fd00::1", 10250).baseUrl())
        .isEqualTo("https://[fd00::1]:10250");
  }

  @Test
  void aNodeWithoutAddressesIsServiceUnavailable() {
    var node =
        Json.parseObject(
            "{\"status\":{\"addresses\":[{\"type\":\"ExternalDNS\",\"address\":\"\"}]}}"
                .getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> KubeletEndpoint.of(node))
        .isInstanceOf(ApiException.class)
        .hasMessage("no preferred addresses found; known addresses: [{ExternalDNS }]")
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(503);
  }

  // ---- kubelet errors

  @Test
  void kubeletErrorsKeepTheirMessage() {
    ApiException text = BackendErrors.fromResponse(400, "text/plain", "container x is not running");
    ApiException status =
        BackendErrors.fromResponse(
            404,
            "application/json",
            "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\",\"message\":\"pod does not exist\"}");
    ApiException internal = BackendErrors.fromResponse(500, "text/plain", "boom");

    assertThat(text.code()).isEqualTo(400);
    assertThat(text.getMessage()).isEqualTo("container x is not running");
    assertThat(status.reason()).isEqualTo("NotFound");
    assertThat(status.getMessage()).isEqualTo("pod does not exist");
    assertThat(internal.getMessage()).isEqualTo("Internal error occurred: boom");
  }

  @Test
  void credentialsAndHopByHopHeadersStayBehind() {
    Map<String, List<String>> client =
        Map.of(
            "authorization", List.of("Bearer secret"),
            "impersonate-user", List.of("mallory"),
            "connection", List.of("Upgrade"),
            "upgrade", List.of("SPDY/3.1"),
            "host", List.of("apiserver"),
            "x-stream-protocol-version", List.of("v4.channel.k8s.io"));

    assertThat(ForwardedHeaders.request(client)).containsOnlyKeys("x-stream-protocol-version");
    assertThat(ForwardedHeaders.upgradeRequest(client))
        .containsOnlyKeys("x-stream-protocol-version", "Connection", "Upgrade")
        .containsEntry("Upgrade", List.of("SPDY/3.1"));
  }

  // ---- relay

  @Test
  void theRelayHoldsBytesUntilAttachedThenForwardsAndClosesThePeer() {
    Relay relay = new Relay();
    EmbeddedChannel source = new EmbeddedChannel(relay);
    EmbeddedChannel target = new EmbeddedChannel();
    source.writeInbound(Unpooled.copiedBuffer("early", StandardCharsets.UTF_8));
    assertThat((Object) target.readOutbound()).isNull();

    relay.attach(target, () -> {});
    source.runPendingTasks();
    source.writeInbound(Unpooled.copiedBuffer("late", StandardCharsets.UTF_8));

    ByteBuf first = target.readOutbound();
    ByteBuf second = target.readOutbound();
    assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("early");
    assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo("late");
    first.release();
    second.release();

    source.close();
    target.runPendingTasks();
    assertThat(target.isOpen()).isFalse();
  }
}
