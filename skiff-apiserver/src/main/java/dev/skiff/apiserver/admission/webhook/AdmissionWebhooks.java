package dev.skiff.apiserver.admission.webhook;

import dev.skiff.apiserver.admission.AdmissionPlugin;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.authz.StoreMirror;
import dev.skiff.storage.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins. The
 * MutatingWebhookConfiguration and ValidatingWebhookConfiguration objects are followed from the
 * store (list, then watch), so a configuration applies to requests shortly after it is written;
 * service references are resolved to a ready endpoint of the Service through the API server's own
 * reads.
 *
 * <pre>{@code
 * AdmissionWebhooks webhooks = new AdmissionWebhooks(store, loopback).start();
 * chain plugins: ..., webhooks.mutating(), ..., webhooks.validating(), ...
 * }</pre>
 */
public final class AdmissionWebhooks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdmissionWebhooks.class);
  static final String MUTATING_PREFIX =
      "/registry/admissionregistration.k8s.io/mutatingwebhookconfigurations/";
  static final String VALIDATING_PREFIX =
      "/registry/admissionregistration.k8s.io/validatingwebhookconfigurations/";

  private final StoreMirror<List<Webhook>> mutatingConfigurations;
  private final StoreMirror<List<Webhook>> validatingConfigurations;
  private final WebhookClient client;
  private final WebhookDispatcher dispatcher;

  public AdmissionWebhooks(Store store, Loopback api) {
    this.mutatingConfigurations =
        new StoreMirror<>(store, MUTATING_PREFIX, AdmissionWebhooks::parse, () -> {});
    this.validatingConfigurations =
        new StoreMirror<>(store, VALIDATING_PREFIX, AdmissionWebhooks::parse, () -> {});
    this.client = new WebhookClient(new EndpointResolver(api::get, new SplittableRandom()));
    this.dispatcher =
        new WebhookDispatcher(
            new WebhookMatcher(name -> api.get("/api/v1/namespaces/" + name)), client);
  }

  private static List<Webhook> parse(ObjectNode configuration) {
    try {
      return Webhook.parseConfiguration(configuration);
    } catch (RuntimeException e) {
      log.warn(
          "event=webhook_configuration_unreadable name={} reason=\"{}\"",
          configuration.path("metadata").path("name").asString(""),
          e.getMessage());
      return List.of();
    }
  }

  /** Lists the configurations and starts following them; returns once the lists are loaded. */
  public AdmissionWebhooks start() {
    mutatingConfigurations.start();
    validatingConfigurations.start();
    return this;
  }

  /** Waits until the webhooks in use are those stored now; true when they are in time. */
  public boolean awaitCurrent(Duration timeout) {
    return mutatingConfigurations.awaitInSync(timeout)
        && validatingConfigurations.awaitInSync(timeout);
  }

  /** The mutating webhooks, configurations in name order, each's webhooks in their order. */
  List<Webhook> mutatingWebhooks() {
    return flatten(mutatingConfigurations);
  }

  List<Webhook> validatingWebhooks() {
    return flatten(validatingConfigurations);
  }

  private static List<Webhook> flatten(StoreMirror<List<Webhook>> configurations) {
    List<Webhook> webhooks = new ArrayList<>();
    configurations.objects().forEach(webhooks::addAll);
    return webhooks;
  }

  /** The MutatingAdmissionWebhook plugin: runs in the mutating phase only. */
  public AdmissionPlugin mutating() {
    return new AdmissionPlugin() {
      @Override
      public String name() {
        return "MutatingAdmissionWebhook";
      }

      @Override
      public void mutate(AdmissionRequest request) {
        dispatcher.mutate(mutatingWebhooks(), request);
      }
    };
  }

  /** The ValidatingAdmissionWebhook plugin: runs in the validating phase only. */
  public AdmissionPlugin validating() {
    return new AdmissionPlugin() {
      @Override
      public String name() {
        return "ValidatingAdmissionWebhook";
      }

      @Override
      public void validate(AdmissionRequest request) {
        dispatcher.validate(validatingWebhooks(), request);
      }
    };
  }

  @Override
  public void close() {
    mutatingConfigurations.close();
    validatingConfigurations.close();
    client.close();
  }
}
