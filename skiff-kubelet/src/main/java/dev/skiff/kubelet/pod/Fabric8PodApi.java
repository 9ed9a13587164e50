package dev.skiff.kubelet.pod;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** {@link PodApi} over the fabric8 client. */
public final class Fabric8PodApi implements PodApi {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  private final KubernetesClient client;

  public Fabric8PodApi(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void patchStatus(Pod pod, PodStatus status) {
    // the uid in the patch is a precondition: the API server rejects it for another pod
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("uid", pod.getMetadata().getUid());
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("metadata", metadata);
    patch.put("status", status);
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .subresource("status")
        .patch(MERGE, JSON.asJson(patch));
  }

  @Override
  public void confirmDeletion(String namespace, String name, String uid) {
    // fabric8's delete() offers a resourceVersion precondition only; the kubelet's is the uid
    DeleteOptions options =
        new DeleteOptionsBuilder()
            .withApiVersion("v1")
            .withKind("DeleteOptions")
            .withGracePeriodSeconds(0L)
            .withNewPreconditions()
            .withUid(uid)
            .endPreconditions()
            .build();
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "")
            + "/api/v1/namespaces/"
            + URLEncoder.encode(namespace, StandardCharsets.UTF_8)
            + "/pods/"
            + URLEncoder.encode(name, StandardCharsets.UTF_8);
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(url)
            .delete("application/json", JSON.asJson(options))
            .build();
    HttpResponse<String> response;
    try {
      response = client.getHttpClient().sendAsync(request, String.class).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted deleting pod " + namespace + "/" + name, e);
    } catch (ExecutionException e) {
      throw new KubernetesClientException(
          "deleting pod " + namespace + "/" + name + ": " + e.getCause(), e.getCause());
    }
    int code = response.code();
    if (code / 100 == 2 || code == 404 || code == 409) {
      return;
    }
    throw new KubernetesClientException(
        "deleting pod " + namespace + "/" + name + ": HTTP " + code + " " + response.body(),
        code,
        null);
  }
}
