package dev.skiff.apiserver.admission;

import dev.skiff.apiserver.http.UserInfo;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stamps a new CertificateSigningRequest with who asked for it: {@code spec.username}, {@code uid},
 * {@code groups} and {@code extra} come from the authenticated caller, whatever the body said.
 * Kubernetes does this in the CSR strategy; our strategies do not see the caller, admission does.
 * Approvers and signers trust these fields, so they must never come from the client.
 */
public final class CsrRequester implements AdmissionPlugin {

  @Override
  public String name() {
    return "CertificateSigningRequestRequester";
  }

  @Override
  public void mutate(AdmissionRequest request) {
    if (request.operation() != AdmissionRequest.Operation.CREATE
        || !request.subresource().isEmpty()
        || !"certificates.k8s.io".equals(request.group())
        || !"certificatesigningrequests".equals(request.resource())
        || request.object() == null) {
      return;
    }
    UserInfo user = request.user();
    ObjectNode spec = request.object().withObject("spec");
    spec.put("username", user.name());
    if (user.uid() == null || user.uid().isEmpty()) {
      spec.remove("uid");
    } else {
      spec.put("uid", user.uid());
    }
    ArrayNode groups = spec.putArray("groups");
    user.groups().forEach(groups::add);
    spec.remove("extra");
    if (!user.extra().isEmpty()) {
      ObjectNode extra = spec.putObject("extra");
      for (Map.Entry<String, List<String>> entry : user.extra().entrySet()) {
        ArrayNode values = extra.putArray(entry.getKey());
        entry.getValue().forEach(values::add);
      }
    }
  }
}
