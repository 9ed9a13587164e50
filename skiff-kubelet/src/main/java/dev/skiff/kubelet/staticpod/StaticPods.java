package dev.skiff.kubelet.staticpod;

import dev.skiff.kubelet.pod.PodApi;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's static pods: it reads the manifest path, hands new pods to the pod workers and
 * takes away those whose manifest went or changed (a changed manifest is a new pod: new uid), and
 * keeps a mirror pod in the API for each one — created when missing, deleted and created again when
 * it is deleted or stale, deleted when its static pod goes. The status the pod workers write for a
 * static pod goes to its mirror pod (see {@link #statusApi}).
 */
public final class StaticPods implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StaticPods.class);

  /** Where static pods run: the pod workers. */
  public interface PodSink {
    void update(Pod pod);

    void remove(Pod pod);
  }

  /** What mirror pods need from the API besides {@link PodApi}. */
  public interface MirrorPodClient {
    /** The uid of this node's Node object; empty while it is not registered. */
    Optional<String> nodeUid();

    /** Creates the pod; an existing pod of that name is left alone. */
    void create(Pod mirror);
  }

  private final Path manifestPath;
  private final String nodeName;
  private final InstantSource clock;
  private final PodSink sink;
  private final PodApi api;
  private final MirrorPodClient mirrors;
  private final Supplier<List<Pod>> apiPods;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeUp = lock.newCondition();
  // static pods by uid, as handed to the workers
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  // the last status the workers wrote per static pod uid, and the mirror uid it went to
  private final Map<String, PodStatus> statuses = new ConcurrentHashMap<>();
  private final Map<String, String> statusPostedTo = new ConcurrentHashMap<>();
  private final Map<String, String> createFailures = new ConcurrentHashMap<>();
  private String fingerprint = "";
  private boolean pending;
  private volatile boolean closed;
  private Thread loop;

  /**
   * @param apiPods the pods bound to this node as the API has them (the kubelet's informer)
   */
  public StaticPods(
      Path manifestPath,
      String nodeName,
      InstantSource clock,
      PodSink sink,
      PodApi api,
      MirrorPodClient mirrors,
      Supplier<List<Pod>> apiPods) {
    this.manifestPath = manifestPath;
    this.nodeName = nodeName;
    this.clock = clock;
    this.sink = sink;
    this.api = api;
    this.mirrors = mirrors;
    this.apiPods = apiPods;
  }

  /**
   * Reads the manifests once (so the workers know the static pods before anything cleans up
   * orphans) and then rereads them and reconciles the mirror pods every {@code period} or when
   * woken.
   */
  public void start(Duration period) {
    scan();
    loop =
        Thread.ofVirtual()
            .name("static-pods")
            .start(
                () -> {
                  while (!closed) {
                    try {
                      scan();
                      reconcileMirrors();
                    } catch (RuntimeException e) {
                      LOG.warn("static pod sync failed error={}", e.toString());
                    }
                    if (!await(period)) {
                      return;
                    }
                  }
                });
    LOG.info("static pods watched path={}", manifestPath);
  }

  /** Asks for a reconcile soon (a mirror pod changed in the API). */
  public void wake() {
    lock.lock();
    try {
      pending = true;
      wakeUp.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private boolean await(Duration period) {
    lock.lock();
    try {
      long nanos = period.toNanos();
      while (!pending && nanos > 0 && !closed) {
        nanos = wakeUp.awaitNanos(nanos);
      }
      pending = false;
      return !closed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** The static pods now running (the kubelet API lists them). */
  public List<Pod> pods() {
    return List.copyOf(pods.values());
  }

  /** The uids of the static pods now running. */
  public Set<String> uids() {
    return Set.copyOf(pods.keySet());
  }

  /** Rereads the manifests when a file changed and tells the workers what is new and what went. */
  synchronized void scan() {
    String now = fingerprint();
    if (now.equals(fingerprint)) {
      return;
    }
    fingerprint = now;
    Map<String, Pod> read = new LinkedHashMap<>();
    for (Pod pod : StaticPodManifests.read(manifestPath, nodeName)) {
      read.put(pod.getMetadata().getUid(), pod);
    }
    for (Pod gone : List.copyOf(pods.values())) {
      String uid = gone.getMetadata().getUid();
      if (!read.containsKey(uid)) {
        pods.remove(uid);
        seen.remove(uid);
        statuses.remove(uid);
        statusPostedTo.remove(uid);
        createFailures.remove(uid);
        LOG.info(
            "static pod removed pod={}/{} uid={}",
            gone.getMetadata().getNamespace(),
            gone.getMetadata().getName(),
            uid);
        sink.remove(gone);
      }
    }
    for (Pod pod : read.values()) {
      String uid = pod.getMetadata().getUid();
      if (pods.containsKey(uid)) {
        continue;
      }
      pod.getMetadata()
          .getAnnotations()
          .put(
              StaticPodManifests.CONFIG_SEEN,
              seen.computeIfAbsent(uid, u -> clock.instant().toString()));
      pods.put(uid, pod);
      LOG.info(
          "static pod added pod={}/{} uid={}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          uid);
      sink.update(pod);
    }
  }

  /** The names, sizes and modification times of the manifest files: a change means reread. */
  private String fingerprint() {
    StringBuilder out = new StringBuilder();
    for (Path file : StaticPodManifests.files(manifestPath)) {
      try {
        out.append(file)
            .append('|')
            .append(Files.size(file))
            .append('|')
            .append(Files.getLastModifiedTime(file).toMillis())
            .append('\n');
      } catch (java.io.IOException e) {
        out.append(file).append("|gone\n");
      }
    }
    return out.toString();
  }

  /**
   * Creates the mirror pods that are missing, deletes those that are being deleted, stale (another
   * manifest hash) or orphaned (no static pod), and writes the last status to a mirror pod that has
   * not had it.
   */
  synchronized void reconcileMirrors() {
    Map<String, Pod> mirrorsByName = new HashMap<>();
    Map<String, Pod> otherByName = new HashMap<>();
    for (Pod pod : apiPods.get()) {
      if (!nodeName.equals(pod.getSpec().getNodeName())) {
        continue;
      }
      (StaticPodManifests.isMirrorPod(pod) ? mirrorsByName : otherByName).put(key(pod), pod);
    }
    Map<String, Pod> staticByName = new HashMap<>();
    pods.values().forEach(p -> staticByName.put(key(p), p));

    for (Pod mirror : mirrorsByName.values()) {
      Pod staticPod = staticByName.get(key(mirror));
      if (staticPod == null) {
        LOG.info("orphaned mirror pod deleted pod={}", key(mirror));
        deleteMirror(mirror);
      }
    }
    for (Pod staticPod : staticByName.values()) {
      String uid = staticPod.getMetadata().getUid();
      Pod mirror = mirrorsByName.get(key(staticPod));
      if (mirror != null && isMirrorOf(mirror, staticPod)) {
        if (mirror.getMetadata().getDeletionTimestamp() == null) {
          postStatus(uid, mirror);
          continue;
        }
      }
      if (mirror != null) {
        LOG.info("mirror pod deleted to be made again pod={}", key(mirror));
        deleteMirror(mirror);
      }
      if (otherByName.containsKey(key(staticPod))) {
        continue; // a pod of the API holds the name; creating would fail
      }
      Optional<String> nodeUid = mirrors.nodeUid();
      if (nodeUid.isEmpty()) {
        continue; // the Node is not registered yet: the next round creates it
      }
      try {
        mirrors.create(mirrorPod(staticPod, nodeName, nodeUid.get()));
        createFailures.remove(uid);
      } catch (RuntimeException e) {
        // logged once per distinct failure, not every round
        if (!e.toString().equals(createFailures.put(uid, e.toString()))) {
          LOG.warn("mirror pod not created pod={} error={}", key(staticPod), e.toString());
        }
      }
    }
  }

  private void deleteMirror(Pod mirror) {
    ObjectMeta meta = mirror.getMetadata();
    api.confirmDeletion(meta.getNamespace(), meta.getName(), meta.getUid());
  }

  private void postStatus(String staticUid, Pod mirror) {
    PodStatus status = statuses.get(staticUid);
    String mirrorUid = mirror.getMetadata().getUid();
    if (status == null || mirrorUid.equals(statusPostedTo.get(staticUid))) {
      return;
    }
    try {
      api.patchStatus(mirror, status);
      statusPostedTo.put(staticUid, mirrorUid);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) {
        throw e;
      }
    }
  }

  /**
   * The {@link PodApi} for the pod workers: a static pod's status goes to its mirror pod (as soon
   * as there is one); a static pod is never deleted in the API. Other pods go to {@code api}.
   */
  public PodApi statusApi() {
    return new PodApi() {
      @Override
      public void patchStatus(Pod pod, PodStatus status) {
        if (!StaticPodManifests.isStaticPod(pod)) {
          api.patchStatus(pod, status);
          return;
        }
        String uid = pod.getMetadata().getUid();
        statuses.put(uid, status);
        statusPostedTo.remove(uid);
        Pod mirror =
            apiPods.get().stream()
                .filter(p -> key(p).equals(key(pod)) && isMirrorOf(p, pod))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .findFirst()
                .orElse(null);
        if (mirror != null) {
          postStatus(uid, mirror);
        }
      }

      @Override
      public void confirmDeletion(String namespace, String name, String uid) {
        if (!pods.containsKey(uid)) {
          api.confirmDeletion(namespace, name, uid);
        }
      }
    };
  }

  /**
   * The mirror pod of a static pod: its metadata and spec with the {@code config.mirror} annotation
   * and the Node as controlling owner; the API gives it its own uid.
   */
  public static Pod mirrorPod(Pod staticPod, String nodeName, String nodeUid) {
    Pod mirror = new PodBuilder(staticPod).withStatus(null).build();
    ObjectMeta meta = mirror.getMetadata();
    meta.setUid(null);
    meta.setResourceVersion(null);
    Map<String, String> annotations = new HashMap<>(meta.getAnnotations());
    annotations.put(StaticPodManifests.CONFIG_MIRROR, hash(staticPod));
    meta.setAnnotations(annotations);
    OwnerReference node = new OwnerReference();
    node.setApiVersion("v1");
    node.setKind("Node");
    node.setName(nodeName);
    node.setUid(nodeUid);
    node.setController(true);
    meta.setOwnerReferences(new ArrayList<>(List.of(node)));
    return mirror;
  }

  /** Whether an API pod is the mirror of this static pod (same manifest hash). */
  static boolean isMirrorOf(Pod mirror, Pod staticPod) {
    Map<String, String> annotations = mirror.getMetadata().getAnnotations();
    return annotations != null
        && hash(staticPod).equals(annotations.get(StaticPodManifests.CONFIG_MIRROR));
  }

  private static String hash(Pod staticPod) {
    return staticPod.getMetadata().getAnnotations().get(StaticPodManifests.CONFIG_HASH);
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  @Override
  public void close() {
    closed = true;
    wake();
    if (loop != null) {
      loop.interrupt();
    }
  }
}
