package dev.skiff.kubelet;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.eviction.EvictionManager;
import dev.skiff.kubelet.eviction.EvictionSignals;
import dev.skiff.kubelet.eviction.NodePressure;
import dev.skiff.kubelet.eviction.Signal;
import dev.skiff.kubelet.image.ImageGarbageCollector;
import dev.skiff.kubelet.image.PauseImage;
import dev.skiff.kubelet.node.NodeHealth;
import dev.skiff.kubelet.pod.ContainerHooks;
import dev.skiff.kubelet.pod.ContainerProbes;
import dev.skiff.kubelet.pod.CriPodSyncer;
import dev.skiff.kubelet.pod.Pleg;
import dev.skiff.kubelet.pod.PodApi;
import dev.skiff.kubelet.pod.PodRuntimeConfig;
import dev.skiff.kubelet.pod.PodWorkers;
import dev.skiff.kubelet.pod.PullSecrets;
import dev.skiff.kubelet.staticpod.Fabric8MirrorPods;
import dev.skiff.kubelet.staticpod.StaticPodManifests;
import dev.skiff.kubelet.staticpod.StaticPods;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's pod lifecycle, assembled: an informer on the pods bound to this node feeds the pod
 * workers, which sync each pod against the CRI runtime; the PLEG relists the runtime every second
 * to wake the workers of pods whose containers changed, and removes what the runtime holds for pods
 * the API no longer has. Static pods come from the manifest path, with mirror pods in the API. With
 * {@link NodePressure} it also evicts pods under node pressure and collects unused images. Node
 * registration and the Lease are not part of it.
 */
public final class Kubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);

  private final KubernetesClient client;
  private final String nodeName;
  private final CriPodSyncer syncer;
  private final PodWorkers workers;
  private final Pleg pleg;
  private final Set<String> orphansInCleanup = ConcurrentHashMap.newKeySet();
  private final StaticPods staticPods;
  private final NodePressure nodePressure;
  private final ImageGarbageCollector imageGc;
  private final EvictionManager eviction;
  private SharedIndexInformer<Pod> informer;

  public Kubelet(
      KubernetesClient client,
      String nodeName,
      CriClient cri,
      PodRuntimeConfig runtimeConfig,
      ContainerProbes probes,
      ContainerHooks hooks,
      EventRecorder events,
      PodApi podApi,
      KubeletOptions options) {
    this.client = client;
    this.nodeName = nodeName;
    PullSecrets secrets =
        new PullSecrets((ns, name) -> client.secrets().inNamespace(ns).withName(name).get());
    PodWorkers[] holder = new PodWorkers[1];
    this.staticPods =
        options.podManifestPath() == null
            ? null
            : new StaticPods(
                options.podManifestPath(),
                nodeName,
                options.clock(),
                new StaticPods.PodSink() {
                  @Override
                  public void update(Pod pod) {
                    holder[0].update(pod);
                  }

                  @Override
                  public void remove(Pod pod) {
                    holder[0].remove(pod);
                  }
                },
                podApi,
                new Fabric8MirrorPods(client, nodeName),
                this::apiPods);
    if (staticPods != null) {
      podApi = staticPods.statusApi();
    }
    this.syncer =
        new CriPodSyncer(
            new CriPodSyncer.Dependencies(
                cri,
                runtimeConfig,
                probes,
                hooks,
                events,
                podApi,
                secrets,
                options.clock(),
                options.hostIps(),
                options.runtimeName(),
                options.imagePullTimeout()),
            uid -> holder[0].wake(uid));
    this.workers = new PodWorkers(syncer);
    holder[0] = workers;
    if (options.probeRelay() != null) {
      options.probeRelay().bind(syncer, workers::wake);
    }
    this.nodePressure = options.nodePressure();
    if (nodePressure != null) {
      EvictionSignals signals = nodePressure.signals();
      this.imageGc =
          new ImageGarbageCollector(
              ImageGarbageCollector.cri(cri),
              nodePressure.imageGc(),
              () -> {
                EvictionSignals.Observation fs = signals.observe().get(Signal.IMAGEFS_AVAILABLE);
                return fs == null
                    ? null
                    : new ImageGarbageCollector.FsUsage(fs.available(), fs.capacity());
              },
              Set.of(PauseImage.REFERENCE),
              events,
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(nodeName)
                  .withUid(nodeName)
                  .endMetadata()
                  .build(),
              options.clock());
      this.eviction =
          new EvictionManager(
              nodePressure.evictionHard(),
              signals,
              this::activePods,
              (pod, message) -> syncer.evict(pod.getMetadata().getUid(), message),
              imageGc::deleteUnusedImages,
              events,
              options.clock(),
              nodePressure.transitionPeriod());
    } else {
      this.imageGc = null;
      this.eviction = null;
    }
    this.pleg =
        new Pleg(
            cri,
            options.relistPeriod(),
            new Pleg.Listener() {
              @Override
              public void changed(Set<String> podUids) {
                podUids.forEach(workers::wake);
              }

              @Override
              public void relisted(Set<String> podUids) {
                removeOrphans(podUids);
              }
            });
  }

  /** Starts watching this node's pods, waits for the first list, then starts relisting. */
  public void start() {
    informer =
        client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            if (!mirrorChanged(pod)) {
              workers.update(pod);
            }
          }

          @Override
          public void onUpdate(Pod oldPod, Pod newPod) {
            if (!mirrorChanged(newPod)) {
              workers.update(newPod);
            }
          }

          @Override
          public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
            if (!mirrorChanged(pod)) {
              workers.remove(pod);
            }
          }
        });
    try {
      informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted starting the pod informer", e);
    } catch (Exception e) {
      throw new IllegalStateException("pod informer did not sync: " + e, e);
    }
    if (staticPods != null) {
      // before the first relist, so the runtime's static pods are not taken for orphans
      staticPods.start(Duration.ofSeconds(1));
    }
    pleg.start();
    if (nodePressure != null) {
      eviction.start(nodePressure.evictionPeriod());
      imageGc.start(nodePressure.imageGcPeriod());
    }
    LOG.info("kubelet pod workers started node={}", nodeName);
  }

  /** The node's health with the pressure conditions the eviction manager observes. */
  public NodeHealth withPressure(NodeHealth health) {
    return eviction == null ? health : eviction.withPressure(health);
  }

  /** Pods that may be evicted: running or about to, not deleted, not finished. */
  private List<Pod> activePods() {
    return pods().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(
            p ->
                p.getStatus() == null
                    || !("Succeeded".equals(p.getStatus().getPhase())
                        || "Failed".equals(p.getStatus().getPhase())))
        .filter(p -> workers.state(p.getMetadata().getUid()) == PodWorkers.State.SYNCING)
        .toList();
  }

  /**
   * A mirror pod is not run from the API (its static pod runs from the manifest): a change to one
   * only makes the static pods reconcile their mirrors.
   */
  private boolean mirrorChanged(Pod pod) {
    if (!StaticPodManifests.isMirrorPod(pod)) {
      return false;
    }
    if (staticPods != null) {
      staticPods.wake();
    }
    return true;
  }

  /**
   * The pods this kubelet runs (the kubelet API's /pods): those bound to it in the API, mirror pods
   * replaced by their static pods.
   */
  public List<Pod> pods() {
    List<Pod> out = new ArrayList<>();
    apiPods().stream().filter(p -> !StaticPodManifests.isMirrorPod(p)).forEach(out::add);
    if (staticPods != null) {
      out.addAll(staticPods.pods());
    }
    return out;
  }

  private List<Pod> apiPods() {
    SharedIndexInformer<Pod> current = informer;
    return current == null ? List.of() : current.getStore().list();
  }

  /** The pod workers (for the kubelet API and tests). */
  public PodWorkers workers() {
    return workers;
  }

  /** Removes sandboxes and containers of pods that neither the API nor a worker knows. */
  private void removeOrphans(Set<String> runtimeUids) {
    if (informer == null || !informer.hasSynced()) {
      return;
    }
    Set<String> known = new HashSet<>(workers.uids());
    if (staticPods != null) {
      known.addAll(staticPods.uids());
    }
    for (Pod pod : informer.getStore().list()) {
      known.add(pod.getMetadata().getUid());
    }
    for (String uid : runtimeUids) {
      if (known.contains(uid) || !orphansInCleanup.add(uid)) {
        continue;
      }
      Thread.ofVirtual()
          .name("orphan-" + uid)
          .start(
              () -> {
                try {
                  syncer.removeOrphan(uid);
                  LOG.info("orphan pod removed uid={}", uid);
                } catch (RuntimeException e) {
                  LOG.warn("orphan pod cleanup failed uid={} error={}", uid, e.toString());
                } finally {
                  orphansInCleanup.remove(uid);
                }
              });
    }
  }

  @Override
  public void close() {
    if (eviction != null) {
      eviction.close();
      imageGc.close();
    }
    if (staticPods != null) {
      staticPods.close();
    }
    pleg.close();
    if (informer != null) {
      informer.close();
    }
    workers.close();
  }
}
