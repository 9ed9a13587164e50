package dev.skiff.apiserver.admission.webhook;

import dev.skiff.api.selector.LabelSelector;
import dev.skiff.apiserver.admission.policy.WebhookMatchConditions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One webhook of a MutatingWebhookConfiguration or ValidatingWebhookConfiguration
 * (admissionregistration.k8s.io/v1), with Kubernetes' defaults applied: failurePolicy Fail,
 * matchPolicy Equivalent, empty selectors (everything), timeoutSeconds 10.
 *
 * @param configuration the name of the configuration object holding the webhook
 * @param namespaceSelector null when the stored selector cannot be parsed ({@link #selectorError})
 * @param objectSelector null when the stored selector cannot be parsed ({@link #selectorError})
 * @param sideEffects None, NoneOnDryRun, Some or Unknown; null when missing
 * @param reinvocationPolicy Never or IfNeeded (a mutating webhook called again in the reinvocation
 *     round when the object changed after it ran)
 * @param matchConditions the compiled CEL matchConditions, all of which must be true to call it
 */
public record Webhook(
    String configuration,
    String name,
    ClientConfig clientConfig,
    List<Rule> rules,
    FailurePolicy failurePolicy,
    MatchPolicy matchPolicy,
    LabelSelector namespaceSelector,
    LabelSelector objectSelector,
    String selectorError,
    String sideEffects,
    int timeoutSeconds,
    List<String> admissionReviewVersions,
    String reinvocationPolicy,
    WebhookMatchConditions matchConditions) {

  public static final int DEFAULT_TIMEOUT_SECONDS = 10;
  public static final int MAX_TIMEOUT_SECONDS = 30;

  public enum FailurePolicy {
    FAIL,
    IGNORE
  }

  public enum MatchPolicy {
    EXACT,
    EQUIVALENT
  }

  /**
   * Where the webhook listens: a URL, or a Service reference.
   *
   * @param url an https URL, or null when {@code service} is set
   * @param caBundle PEM certificates that sign the webhook's serving certificate; empty to trust
   *     the JDK's default roots
   */
  public record ClientConfig(String url, ServiceReference service, String caBundle) {}

  /** clientConfig.service: port defaults to 443, path to "/". */
  public record ServiceReference(String namespace, String name, String path, int port) {}

  public Webhook {
    rules = List.copyOf(rules);
    admissionReviewVersions = List.copyOf(admissionReviewVersions);
    if (matchConditions == null) {
      matchConditions = WebhookMatchConditions.NONE;
    }
  }

  /** Whether this mutating webhook is called again when a later one changed the object. */
  public boolean reinvokedIfNeeded() {
    return "IfNeeded".equals(reinvocationPolicy);
  }

  /** Whether a dry-run request may be sent to this webhook (sideEffects None or NoneOnDryRun). */
  public boolean supportsDryRun() {
    return "None".equals(sideEffects) || "NoneOnDryRun".equals(sideEffects);
  }

  /** The webhooks of one stored configuration object, in their order. */
  public static List<Webhook> parseConfiguration(JsonNode configuration) {
    String configurationName = configuration.path("metadata").path("name").asString("");
    List<Webhook> webhooks = new ArrayList<>();
    for (JsonNode webhook : configuration.path("webhooks")) {
      webhooks.add(parse(configurationName, webhook));
    }
    return webhooks;
  }

  static Webhook parse(String configurationName, JsonNode webhook) {
    List<Rule> rules = new ArrayList<>();
    for (JsonNode rule : webhook.path("rules")) {
      rules.add(Rule.parse(rule));
    }
    List<String> reviewVersions = new ArrayList<>();
    for (JsonNode version : webhook.path("admissionReviewVersions")) {
      reviewVersions.add(version.asString());
    }
    LabelSelector namespaceSelector = null;
    LabelSelector objectSelector = null;
    String selectorError = null;
    try {
      namespaceSelector = selector(webhook.get("namespaceSelector"));
      objectSelector = selector(webhook.get("objectSelector"));
    } catch (IllegalArgumentException e) {
      selectorError = e.getMessage();
    }
    return new Webhook(
        configurationName,
        webhook.path("name").asString(""),
        clientConfig(webhook.path("clientConfig")),
        rules,
        "Ignore".equals(webhook.path("failurePolicy").asString(""))
            ? FailurePolicy.IGNORE
            : FailurePolicy.FAIL,
        "Exact".equals(webhook.path("matchPolicy").asString(""))
            ? MatchPolicy.EXACT
            : MatchPolicy.EQUIVALENT,
        namespaceSelector,
        objectSelector,
        selectorError,
        webhook.hasNonNull("sideEffects") ? webhook.get("sideEffects").asString() : null,
        timeoutSeconds(webhook.path("timeoutSeconds").asInt(0)),
        reviewVersions,
        webhook.path("reinvocationPolicy").asString("Never"),
        WebhookMatchConditions.compile(webhook.get("matchConditions")));
  }

  /**
   * Kubernetes accepts 1 to 30 seconds; a stored value outside that range (configurations are not
   * validated here) is read as the default, or the maximum.
   */
  private static int timeoutSeconds(int stored) {
    if (stored < 1) {
      return DEFAULT_TIMEOUT_SECONDS;
    }
    return Math.min(stored, MAX_TIMEOUT_SECONDS);
  }

  /** A missing selector selects everything, as Kubernetes defaults it to {}. */
  private static LabelSelector selector(JsonNode selector) {
    if (selector == null || selector.isNull()) {
      return LabelSelector.everything();
    }
    return LabelSelector.fromJson(selector);
  }

  private static ClientConfig clientConfig(JsonNode config) {
    String caBundle = "";
    if (config.hasNonNull("caBundle")) {
      try {
        caBundle =
            new String(
                Base64.getDecoder().decode(config.get("caBundle").asString()),
                StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        caBundle = "";
      }
    }
    ServiceReference service = null;
    JsonNode reference = config.get("service");
    if (reference != null && reference.isObject()) {
      service =
          new ServiceReference(
              reference.path("namespace").asString(""),
              reference.path("name").asString(""),
              reference.path("path").asString("/"),
              reference.path("port").asInt(443));
    }
    String url = config.hasNonNull("url") ? config.get("url").asString() : null;
    return new ClientConfig(url, service, caBundle);
  }
}
