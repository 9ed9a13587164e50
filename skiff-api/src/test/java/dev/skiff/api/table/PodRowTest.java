package dev.skiff.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PodRowTest {
  static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");

  record Case(String name, String pod, String ready, String status, String restarts) {
    @Override
    public String toString() {
      return name;
    }
  }

  static String pod(String spec, String status) {
    return "{'metadata':{'name':'p','creationTimestamp':'2026-01-01T00:00:00Z'},"
        + "'spec':{"
        + spec
        + "},'status':{"
        + status
        + "}}";
  }

  static final String ONE_CONTAINER = "'containers':[{'name':'a','image':'busybox'}]";
  static final String TWO_CONTAINERS =
      "'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]";

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "pending without statuses",
            pod(ONE_CONTAINER, "'phase':'Pending'"),
            "0/1",
            "Pending",
            "0"),
        new Case(
            "running and ready",
            pod(
                ONE_CONTAINER,
                "'phase':'Running','containerStatuses':[{'name':'a','ready':true,"
                    + "'restartCount':0,'state':{'running':{}}}]"),
            "1/1",
            "Running",
            "0"),
        new Case(
            "waiting reason wins",
            pod(
                ONE_CONTAINER,
                "'phase':'Running','containerStatuses':[{'name':'a','ready':false,"
                    + "'restartCount':5,'state':{'waiting':{'reason':'CrashLoopBackOff'}},"
                    + "'lastState':{'terminated':{'exitCode':1,"
                    + "'finishedAt':'2026-01-01T00:55:00Z'}}}]"),
            "0/1",
            "CrashLoopBackOff",
            "5 (5m ago)"),
        new Case(
            "terminated without reason shows exit code",
            pod(
                ONE_CONTAINER,
                "'phase':'Failed','containerStatuses':[{'name':'a',"
                    + "'state':{'terminated':{'exitCode':2}}}]"),
            "0/1",
            "ExitCode:2",
            "0"),
        new Case(
            "terminated by signal",
            pod(
                ONE_CONTAINER,
                "'phase':'Failed','containerStatuses':[{'name':'a',"
                    + "'state':{'terminated':{'exitCode':0,'signal':9}}}]"),
            "0/1",
            "Signal:9",
            "0"),
        new Case(
            "completed but one still running and ready pod",
            pod(
                TWO_CONTAINERS,
                "'phase':'Running','conditions':[{'type':'Ready','status':'True'}],"
                    + "'containerStatuses':["
                    + "{'name':'a','state':{'terminated':{'exitCode':0,'reason':'Completed'}}},"
                    + "{'name':'b','ready':true,'state':{'running':{}}}]"),
            "1/2",
            "Running",
            "0"),
        new Case(
            "completed but one still running, pod not ready",
            pod(
                TWO_CONTAINERS,
                "'phase':'Running','containerStatuses':["
                    + "{'name':'a','state':{'terminated':{'exitCode':0,'reason':'Completed'}}},"
                    + "{'name':'b','ready':true,'state':{'running':{}}}]"),
            "1/2",
            "NotReady",
            "0"),
        new Case(
            "init container pending",
            pod(
                "'initContainers':[{'name':'i'}]," + ONE_CONTAINER,
                "'phase':'Pending','initContainerStatuses':[{'name':'i',"
                    + "'state':{'waiting':{'reason':'PodInitializing'}}}],"
                    + "'containerStatuses':[{'name':'a',"
                    + "'state':{'waiting':{'reason':'PodInitializing'}}}]"),
            "0/1",
            "Init:0/1",
            "0"),
        new Case(
            "init container crash looping",
            pod(
                "'initContainers':[{'name':'i'},{'name':'j'}]," + ONE_CONTAINER,
                "'phase':'Pending','initContainerStatuses':["
                    + "{'name':'i','state':{'terminated':{'exitCode':0}}},"
                    + "{'name':'j','restartCount':3,"
                    + "'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]"),
            "0/1",
            "Init:CrashLoopBackOff",
            "3"),
        new Case(
            "init container failed with exit code",
            pod(
                "'initContainers':[{'name':'i'}]," + ONE_CONTAINER,
                "'phase':'Pending','initContainerStatuses':[{'name':'i',"
                    + "'state':{'terminated':{'exitCode':3}}}]"),
            "0/1",
            "Init:ExitCode:3",
            "0"),
        new Case(
            "started sidecar counts towards ready",
            pod(
                "'initContainers':[{'name':'s','restartPolicy':'Always'}]," + ONE_CONTAINER,
                "'phase':'Running','conditions':[{'type':'Initialized','status':'True'}],"
                    + "'initContainerStatuses':[{'name':'s','started':true,'ready':true,"
                    + "'restartCount':1,'state':{'running':{}},'lastState':{'terminated':"
                    + "{'exitCode':1,'finishedAt':'2026-01-01T00:30:00Z'}}}],"
                    + "'containerStatuses':[{'name':'a','ready':true,'state':{'running':{}}}]"),
            "2/2",
            "Running",
            "1 (30m ago)"),
        new Case(
            "pod reason overrides phase",
            pod(ONE_CONTAINER, "'phase':'Failed','reason':'Evicted'"),
            "0/1",
            "Evicted",
            "0"),
        new Case(
            "scheduling gated",
            pod(
                ONE_CONTAINER,
                "'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False',"
                    + "'reason':'SchedulingGated'}]"),
            "0/1",
            "SchedulingGated",
            "0"),
        new Case(
            "deleting a running pod is Terminating",
            "{'metadata':{'name':'p','creationTimestamp':'2026-01-01T00:00:00Z',"
                + "'deletionTimestamp':'2026-01-01T00:59:00Z'},'spec':{"
                + ONE_CONTAINER
                + "},'status':{'phase':'Running'}}",
            "0/1",
            "Terminating",
            "0"),
        new Case(
            "deleting a succeeded pod keeps its status",
            "{'metadata':{'name':'p','creationTimestamp':'2026-01-01T00:00:00Z',"
                + "'deletionTimestamp':'2026-01-01T00:59:00Z'},'spec':{"
                + ONE_CONTAINER
                + "},'status':{'phase':'Succeeded'}}",
            "0/1",
            "Succeeded",
            "0"),
        new Case(
            "deleting a pod on a lost node is Unknown",
            "{'metadata':{'name':'p','creationTimestamp':'2026-01-01T00:00:00Z',"
                + "'deletionTimestamp':'2026-01-01T00:59:00Z'},'spec':{"
                + ONE_CONTAINER
                + "},'status':{'phase':'Running','reason':'NodeLost'}}",
            "0/1",
            "Unknown",
            "0"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void computesReadyStatusAndRestarts(Case c) {
    List<Object> cells = PodRow.cells(Json.parseObject(c.pod().replace('\'', '"').getBytes()), NOW);

    assertThat(cells.subList(0, 5))
        .containsExactly("p", c.ready(), c.status(), c.restarts(), "60m");
  }

  @org.junit.jupiter.api.Test
  void wideColumnsShowIpNodeNominatedNodeAndGates() {
    String pod =
        pod(
            ONE_CONTAINER
                + ",'nodeName':'n1','readinessGates':[{'conditionType':'g1'},"
                + "{'conditionType':'g2'}]",
            "'phase':'Running','podIPs':[{'ip':'10.0.0.5'}],'conditions':["
                + "{'type':'g1','status':'True'},{'type':'g2','status':'False'}]");

    List<Object> cells = PodRow.cells(Json.parseObject(pod.replace('\'', '"').getBytes()), NOW);

    assertThat(cells.subList(5, 9)).containsExactly("10.0.0.5", "n1", "<none>", "1/2");
    assertThat(PodRow.columns())
        .extracting(ColumnDefinition::name)
        .containsExactly(
            "Name",
            "Ready",
            "Status",
            "Restarts",
            "Age",
            "IP",
            "Node",
            "Nominated Node",
            "Readiness Gates");
    assertThat(PodRow.columns())
        .extracting(ColumnDefinition::priority)
        .containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1);
  }
}
