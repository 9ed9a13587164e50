package dev.skiff.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class TablePrintersTest {
  static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-01-01T01:00:00Z"));
  static final String META = "'metadata':{'name':'x','creationTimestamp':'2026-01-01T00:57:00Z'}";

  record Case(String name, String group, String plural, String object, List<Object> cells) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(String name, String group, String plural, String body, Object... cells) {
    return new Case(
        name,
        group,
        plural,
        "{" + META + (body.isEmpty() ? "" : "," + body) + "}",
        Arrays.asList(cells));
  }

  static ResourceType type(String group, String plural) {
    return new ResourceType(
        group, "v1", "Kind", plural, plural, true, List.of(), List.of(), List.of(), List.of(),
        "v1");
  }

  static ObjectNode parse(String json) {
    return Json.parseObject(json.replace('\'', '"').getBytes());
  }

  static Stream<Case> cases() {
    return Stream.of(
        c(
            "node ready with roles and addresses",
            "",
            "nodes",
            "'spec':{},'status':{'conditions':[{'type':'MemoryPressure','status':'False'},"
                + "{'type':'Ready','status':'True'}],'addresses':[{'type':'Hostname',"
                + "'address':'h'},{'type':'InternalIP','address':'10.0.0.1'}],'nodeInfo':{"
                + "'kubeletVersion':'v1.32.0','osImage':'Debian','kernelVersion':'6.1',"
                + "'containerRuntimeVersion':'containerd://1.6'}}",
            "x",
            "Ready",
            "<none>",
            "3m",
            "v1.32.0",
            "10.0.0.1",
            "<none>",
            "Debian",
            "6.1",
            "containerd://1.6"),
        c(
            "node cordoned, not ready, roles from labels",
            "",
            "nodes",
            "'spec':{'unschedulable':true},'status':{'conditions':[{'type':'Ready',"
                + "'status':'Unknown'}]}",
            "x",
            "NotReady,SchedulingDisabled",
            "<none>",
            "3m",
            "",
            "<none>",
            "<none>",
            "<unknown>",
            "<unknown>",
            "<unknown>"),
        new Case(
            "node roles sorted",
            "",
            "nodes",
            "{'metadata':{'name':'n','creationTimestamp':'2026-01-01T00:00:00Z','labels':{"
                + "'node-role.kubernetes.io/worker':'','node-role.kubernetes.io/control-plane':'',"
                + "'kubernetes.io/role':'edge'}}}",
            List.of(
                "n",
                "Unknown",
                "control-plane,edge,worker",
                "60m",
                "",
                "<none>",
                "<none>",
                "<unknown>",
                "<unknown>",
                "<unknown>")),
        c("namespace", "", "namespaces", "'status':{'phase':'Active'}", "x", "Active", "3m"),
        c(
            "cluster ip service",
            "",
            "services",
            "'spec':{'type':'ClusterIP','clusterIPs':['10.96.0.10'],'ports':[{'port':53,"
                + "'protocol':'UDP'},{'port':53,'protocol':'TCP'}],'selector':{'k8s-app':'dns'}}",
            "x",
            "ClusterIP",
            "10.96.0.10",
            "<none>",
            "53/UDP,53/TCP",
            "3m",
            "k8s-app=dns"),
        c(
            "node port service",
            "",
            "services",
            "'spec':{'type':'NodePort','clusterIPs':['10.96.0.2'],'ports':[{'port':80,"
                + "'nodePort':30080,'protocol':'TCP'}]}",
            "x",
            "NodePort",
            "10.96.0.2",
            "<none>",
            "80:30080/TCP",
            "3m",
            "<none>"),
        c(
            "pending load balancer",
            "",
            "services",
            "'spec':{'type':'LoadBalancer','clusterIPs':['10.96.0.3']}",
            "x",
            "LoadBalancer",
            "10.96.0.3",
            "<pending>",
            "<none>",
            "3m",
            "<none>"),
        c(
            "load balancer with ingress and external ips",
            "",
            "services",
            "'spec':{'type':'LoadBalancer','clusterIPs':['10.96.0.3'],'externalIPs':['1.1.1.1']},"
                + "'status':{'loadBalancer':{'ingress':[{'ip':'2.2.2.2'},{'hostname':'lb'}]}}",
            "x",
            "LoadBalancer",
            "10.96.0.3",
            "2.2.2.2,lb,1.1.1.1",
            "<none>",
            "3m",
            "<none>"),
        c(
            "external name service",
            "",
            "services",
            "'spec':{'type':'ExternalName','externalName':'example.com'}",
            "x",
            "ExternalName",
            "<none>",
            "example.com",
            "<none>",
            "3m",
            "<none>"),
        c(
            "endpoints",
            "",
            "endpoints",
            "'subsets':[{'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}],'ports':["
                + "{'port':80},{'port':443}]}]",
            "x",
            "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...",
            "3m"),
        c("endpoints without subsets", "", "endpoints", "", "x", "<none>", "3m"),
        c(
            "configmap counts data and binary data",
            "",
            "configmaps",
            "'data':{'a':'1','b':'2'},'binaryData':{'c':'AA=='}",
            "x",
            3L,
            "3m"),
        c("secret", "", "secrets", "'type':'Opaque','data':{'a':'AA=='}", "x", "Opaque", 1L, "3m"),
        c("service account", "", "serviceaccounts", "", "x", 0L, "3m"),
        c(
            "core event",
            "",
            "events",
            "'type':'Warning','reason':'BackOff','message':' Back-off restarting \\n',"
                + "'involvedObject':{'kind':'Pod','name':'web','fieldPath':'spec.containers{a}'},"
                + "'source':{'component':'kubelet','host':'n1'},"
                + "'firstTimestamp':'2026-01-01T00:00:00Z','lastTimestamp':'2026-01-01T00:58:00Z',"
                + "'count':7",
            "2m",
            "Warning",
            "BackOff",
            "pod/web",
            "spec.containers{a}",
            "kubelet, n1",
            "Back-off restarting",
            "60m",
            7L,
            "x"),
        c(
            "events.k8s.io event with series",
            "events.k8s.io",
            "events",
            "'type':'Normal','reason':'Scheduled','note':'assigned','eventTime':"
                + "'2026-01-01T00:50:00.000000Z','regarding':{'kind':'Pod','name':'web'},"
                + "'reportingController':'default-scheduler','series':{'count':2,"
                + "'lastObservedTime':'2026-01-01T00:59:00.000000Z'}",
            "60s",
            "Normal",
            "Scheduled",
            "pod/web",
            "",
            "default-scheduler",
            "assigned",
            "10m",
            2L,
            "x"),
        c(
            "persistent volume",
            "",
            "persistentvolumes",
            "'spec':{'capacity':{'storage':'1Gi'},'accessModes':['ReadWriteMany',"
                + "'ReadWriteOnce'],'persistentVolumeReclaimPolicy':'Retain','claimRef':{"
                + "'namespace':'default','name':'data'},'storageClassName':'local'},"
                + "'status':{'phase':'Bound'}",
            "x",
            "1Gi",
            "RWO,RWX",
            "Retain",
            "Bound",
            "default/data",
            "local",
            "<unset>",
            "",
            "3m",
            "<unset>"),
        c(
            "bound claim",
            "",
            "persistentvolumeclaims",
            "'spec':{'volumeName':'pv1','storageClassName':'local','volumeMode':'Filesystem'},"
                + "'status':{'phase':'Bound','accessModes':['ReadWriteOnce'],'capacity':{"
                + "'storage':'5Gi'}}",
            "x",
            "Bound",
            "pv1",
            "5Gi",
            "RWO",
            "local",
            "<unset>",
            "3m",
            "Filesystem"),
        c(
            "replication controller",
            "",
            "replicationcontrollers",
            "'spec':{'replicas':3,'selector':{'app':'web'},'template':{'spec':{'containers':["
                + "{'name':'web','image':'nginx'}]}}},'status':{'replicas':3,'readyReplicas':2}",
            "x",
            3L,
            3L,
            2L,
            "3m",
            "web",
            "nginx",
            "app=web"),
        c(
            "resource quota splits requests and limits",
            "",
            "resourcequotas",
            "'status':{'hard':{'pods':'10','limits.cpu':'2','requests.cpu':'1'},"
                + "'used':{'pods':'3','requests.cpu':'500m'}}",
            "x",
            "pods: 3/10, requests.cpu: 500m/1",
            "limits.cpu: 0/2",
            "3m"),
        c(
            "component status",
            "",
            "componentstatuses",
            "'conditions':[{'type':'Healthy','status':'True','message':'ok'}]",
            "x",
            "Healthy",
            "ok",
            ""),
        c(
            "deployment",
            "apps",
            "deployments",
            "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'},'matchExpressions':["
                + "{'key':'tier','operator':'In','values':['b','a']}]},'template':{'spec':{"
                + "'containers':[{'name':'web','image':'nginx'},{'name':'log','image':'busybox'}]"
                + "}}},'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}",
            "x",
            "2/3",
            3L,
            2L,
            "3m",
            "web,log",
            "nginx,busybox",
            "app=web,tier in (a,b)"),
        c(
            "replica set defaults replicas to one",
            "apps",
            "replicasets",
            "'spec':{'selector':{'matchLabels':{'app':'web'}}}",
            "x",
            1L,
            0L,
            0L,
            "3m",
            "",
            "",
            "app=web"),
        c(
            "stateful set",
            "apps",
            "statefulsets",
            "'spec':{'replicas':2,'template':{'spec':{'containers':[{'name':'db',"
                + "'image':'pg'}]}}},'status':{'readyReplicas':1}",
            "x",
            "1/2",
            "3m",
            "db",
            "pg"),
        c(
            "daemon set",
            "apps",
            "daemonsets",
            "'spec':{'selector':{'matchLabels':{'app':'agent'}},'template':{'spec':{"
                + "'nodeSelector':{'kubernetes.io/os':'linux'},'containers':[{'name':'a',"
                + "'image':'i'}]}}},'status':{'desiredNumberScheduled':3,"
                + "'currentNumberScheduled':3,'numberReady':2,'updatedNumberScheduled':3,"
                + "'numberAvailable':2}",
            "x",
            3L,
            3L,
            2L,
            3L,
            2L,
            "kubernetes.io/os=linux",
            "3m",
            "a",
            "i",
            "app=agent"),
        c(
            "complete job",
            "batch",
            "jobs",
            "'spec':{'completions':1,'template':{'spec':{'containers':[{'name':'pi',"
                + "'image':'perl'}]}},'selector':{'matchLabels':{'batch.kubernetes.io/"
                + "controller-uid':'u'}}},'status':{'succeeded':1,'startTime':"
                + "'2026-01-01T00:57:00Z','completionTime':'2026-01-01T00:57:42Z',"
                + "'conditions':[{'type':'Complete','status':'True'}]}",
            "x",
            "Complete",
            "1/1",
            "42s",
            "3m",
            "pi",
            "perl",
            "batch.kubernetes.io/controller-uid=u"),
        c(
            "running parallel job",
            "batch",
            "jobs",
            "'spec':{'parallelism':3},'status':{'startTime':'2026-01-01T00:58:00Z'}",
            "x",
            "Running",
            "0/1 of 3",
            "2m",
            "3m",
            "",
            "",
            "<none>"),
        c(
            "suspended job",
            "batch",
            "jobs",
            "'spec':{},'status':{'conditions':[{'type':'Suspended','status':'True'}]}",
            "x",
            "Suspended",
            "0/1",
            "",
            "3m",
            "",
            "",
            "<none>"),
        c(
            "cron job",
            "batch",
            "cronjobs",
            "'spec':{'schedule':'*/5 * * * *','suspend':false,'jobTemplate':{'spec':{"
                + "'template':{'spec':{'containers':[{'name':'c','image':'i'}]}}}}},"
                + "'status':{'active':[{'name':'j'}],'lastScheduleTime':'2026-01-01T00:55:00Z'}",
            "x",
            "*/5 * * * *",
            "<none>",
            "False",
            1L,
            "5m",
            "3m",
            "c",
            "i",
            "<none>"),
        c(
            "ingress",
            "networking.k8s.io",
            "ingresses",
            "'spec':{'ingressClassName':'nginx','rules':[{'host':'a.example'},{'host':"
                + "'b.example'}],'tls':[{}]},'status':{'loadBalancer':{'ingress':[{'ip':"
                + "'1.2.3.4'}]}}",
            "x",
            "nginx",
            "a.example,b.example",
            "1.2.3.4",
            "80, 443",
            "3m"),
        c(
            "ingress without hosts",
            "networking.k8s.io",
            "ingresses",
            "'spec':{'rules':[{}]}",
            "x",
            "<none>",
            "*",
            "",
            "80",
            "3m"),
        c(
            "ingress class",
            "networking.k8s.io",
            "ingressclasses",
            "'spec':{'controller':'k8s.io/ingress-nginx','parameters':{'apiGroup':"
                + "'k8s.example.com','kind':'IngressParameters','name':'p'}}",
            "x",
            "k8s.io/ingress-nginx",
            "IngressParameters.k8s.example.com/p",
            "3m"),
        c(
            "network policy selecting all pods",
            "networking.k8s.io",
            "networkpolicies",
            "'spec':{'podSelector':{}}",
            "x",
            "<none>",
            "3m"),
        c(
            "role binding",
            "rbac.authorization.k8s.io",
            "rolebindings",
            "'roleRef':{'kind':'ClusterRole','name':'view'},'subjects':[{'kind':'User',"
                + "'name':'alice'},{'kind':'Group','name':'devs'},{'kind':'ServiceAccount',"
                + "'namespace':'ns','name':'sa'},{'kind':'User','name':'bob'}]",
            "x",
            "ClusterRole/view",
            "3m",
            "alice, bob",
            "devs",
            "ns/sa"),
        c(
            "cluster role binding",
            "rbac.authorization.k8s.io",
            "clusterrolebindings",
            "'roleRef':{'kind':'ClusterRole','name':'admin'}",
            "x",
            "ClusterRole/admin",
            "3m",
            "",
            "",
            ""),
        new Case(
            "default storage class",
            "storage.k8s.io",
            "storageclasses",
            "{'metadata':{'name':'local','creationTimestamp':'2026-01-01T00:57:00Z',"
                + "'annotations':{'storageclass.kubernetes.io/is-default-class':'true'}},"
                + "'provisioner':'rancher.io/local-path','volumeBindingMode':"
                + "'WaitForFirstConsumer'}",
            List.of(
                "local (default)",
                "rancher.io/local-path",
                "Delete",
                "WaitForFirstConsumer",
                false,
                "3m")),
        c(
            "pod disruption budget",
            "policy",
            "poddisruptionbudgets",
            "'spec':{'minAvailable':'50%'},'status':{'disruptionsAllowed':1}",
            "x",
            "50%",
            "N/A",
            1L,
            "3m"),
        c(
            "lease",
            "coordination.k8s.io",
            "leases",
            "'spec':{'holderIdentity':'node-1'}",
            "x",
            "node-1",
            "3m"),
        c(
            "priority class",
            "scheduling.k8s.io",
            "priorityclasses",
            "'value':2000000000,'globalDefault':false,'preemptionPolicy':'PreemptLowerPriority'",
            "x",
            2000000000L,
            false,
            "3m",
            "PreemptLowerPriority"),
        c(
            "approved and issued csr",
            "certificates.k8s.io",
            "certificatesigningrequests",
            "'spec':{'signerName':'kubernetes.io/kube-apiserver-client','username':'alice',"
                + "'expirationSeconds':86400},'status':{'conditions':[{'type':'Approved',"
                + "'status':'True'}],'certificate':'AAAA'}",
            "x",
            "3m",
            "kubernetes.io/kube-apiserver-client",
            "alice",
            "24h",
            "Approved,Issued"),
        c("runtime class", "node.k8s.io", "runtimeclasses", "'handler':'runc'", "x", "runc", "3m"),
        c(
            "hpa v2 with resource metrics",
            "autoscaling",
            "horizontalpodautoscalers",
            "'spec':{'scaleTargetRef':{'kind':'Deployment','name':'web'},'minReplicas':1,"
                + "'maxReplicas':10,'metrics':[{'type':'Resource','resource':{'name':'cpu',"
                + "'target':{'type':'Utilization','averageUtilization':80}}},{'type':'Resource',"
                + "'resource':{'name':'memory','target':{'type':'AverageValue','averageValue':"
                + "'1Gi'}}},{'type':'Pods','pods':{'target':{'averageValue':'5'}}}]},'status':{"
                + "'currentReplicas':2,'currentMetrics':[{'type':'Resource','resource':{'name':"
                + "'cpu','current':{'averageUtilization':40}}}]}",
            "x",
            "Deployment/web",
            "cpu: 40%/80%, memory: <unknown>/1Gi + 1 more...",
            "1",
            10L,
            2L,
            "3m"),
        c(
            "hpa v1",
            "autoscaling",
            "horizontalpodautoscalers",
            "'spec':{'scaleTargetRef':{'kind':'Deployment','name':'web'},'maxReplicas':3,"
                + "'targetCPUUtilizationPercentage':50}",
            "x",
            "Deployment/web",
            "cpu: <unknown>/50%",
            "<unset>",
            3L,
            0L,
            "3m"),
        c(
            "endpoint slice",
            "discovery.k8s.io",
            "endpointslices",
            "'addressType':'IPv4','ports':[{'port':80},{'name':'https'}],'endpoints':["
                + "{'addresses':['10.0.0.1']},{'addresses':['10.0.0.2']}]",
            "x",
            "IPv4",
            "80,https",
            "10.0.0.1,10.0.0.2",
            "3m"),
        c(
            "empty endpoint slice",
            "discovery.k8s.io",
            "endpointslices",
            "'addressType':'IPv4'",
            "x",
            "IPv4",
            "<unset>",
            "<unset>",
            "3m"),
        c(
            "webhook configuration",
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            "'webhooks':[{},{}]",
            "x",
            2L,
            "3m"),
        c(
            "controller revision",
            "apps",
            "controllerrevisions",
            "'revision':4",
            "x",
            "<none>",
            4L,
            "3m"),
        c(
            "role uses the default printer",
            "rbac.authorization.k8s.io",
            "roles",
            "",
            "x",
            "2026-01-01T00:57:00Z"),
        c(
            "limit range uses the default printer",
            "",
            "limitranges",
            "",
            "x",
            "2026-01-01T00:57:00Z"),
        c(
            "crd uses the default printer",
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "",
            "x",
            "2026-01-01T00:57:00Z"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void printsKubernetesCells(Case c) {
    TablePrinter printer = TablePrinters.forResource(type(c.group(), c.plural()), CLOCK);

    List<Object> cells = printer.cells(parse(c.object()));

    assertThat(cells).containsExactlyElementsOf(c.cells());
    assertThat(cells).hasSameSizeAs(printer.columns());
  }

  @Test
  void columnsMatchKubernetes() {
    assertThat(names("", "pods"))
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
    assertThat(names("", "nodes"))
        .containsExactly(
            "Name",
            "Status",
            "Roles",
            "Age",
            "Version",
            "Internal-IP",
            "External-IP",
            "OS-Image",
            "Kernel-Version",
            "Container-Runtime");
    assertThat(names("", "services"))
        .containsExactly("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector");
    assertThat(names("apps", "deployments"))
        .containsExactly(
            "Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector");
    assertThat(names("batch", "jobs"))
        .containsExactly(
            "Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector");
    assertThat(names("", "events"))
        .containsExactly(
            "Last Seen",
            "Type",
            "Reason",
            "Object",
            "Subobject",
            "Source",
            "Message",
            "First Seen",
            "Count",
            "Name");
    assertThat(names("rbac.authorization.k8s.io", "roles")).containsExactly("Name", "Created At");
    List<ColumnDefinition> deployment =
        TablePrinters.forResource(type("apps", "deployments"), CLOCK).columns();
    assertThat(deployment)
        .extracting(ColumnDefinition::priority)
        .containsExactly(0, 0, 0, 0, 0, 1, 1, 1);
    assertThat(deployment.get(0).format()).isEqualTo("name");
    assertThat(TablePrinters.forResource(type("", "configmaps")).columns().get(0).type())
        .isEqualTo("string");
  }

  @Test
  void objectsWithoutMetadataPrintEmptyCells() {
    ObjectNode bare = parse("{'kind':'Role'}");

    assertThat(TablePrinters.forResource(type("rbac.authorization.k8s.io", "roles")).cells(bare))
        .containsExactly("", "");
    assertThat(TablePrinters.forResource(type("", "pods"), CLOCK).cells(bare).subList(0, 5))
        .containsExactly("", "0/0", "", "0", "<unknown>");
  }

  @Test
  void systemClockPrinterComputesAges() {
    ObjectNode pod = parse("{'metadata':{'name':'p','creationTimestamp':'2000-01-01T00:00:00Z'}}");
    List<Object> cells = TablePrinters.forResource(type("", "pods")).cells(pod);
    assertThat((String) cells.get(4)).endsWith("y");
  }

  static List<String> names(String group, String plural) {
    return TablePrinters.forResource(type(group, plural), CLOCK).columns().stream()
        .map(ColumnDefinition::name)
        .toList();
  }
}
