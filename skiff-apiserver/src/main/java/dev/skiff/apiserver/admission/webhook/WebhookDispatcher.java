package dev.skiff.apiserver.admission.webhook;

import dev.skiff.api.Json;
import dev.skiff.api.patch.JsonPatch;
import dev.skiff.api.patch.PatchException;
import dev.skiff.apiserver.admission.Admission;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.admission.Reinvocation;
import dev.skiff.apiserver.admission.policy.WebhookMatchConditions;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.rest.RequestInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls the webhooks that match one write and acts on their answers: mutating webhooks one after
 * another in configuration-name order, each seeing the previous one's patch; validating webhooks
 * all at once, the first refusal in configuration order winning. A refusal becomes the webhook's
 * Status (403 Forbidden unless the webhook names a code); a webhook that cannot be called fails the
 * request with 500 under failurePolicy Fail and is skipped under Ignore; a dry run is refused (400)
 * by webhooks that do not declare sideEffects None or NoneOnDryRun.
 */
final class WebhookDispatcher {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

  private final WebhookMatcher matcher;
  private final WebhookClient client;
  private final Supplier<String> uids;

  WebhookDispatcher(WebhookMatcher matcher, WebhookClient client, Supplier<String> uids) {
    this.matcher = matcher;
    this.client = client;
    this.uids = uids;
  }

  WebhookDispatcher(WebhookMatcher matcher, WebhookClient client) {
    this(matcher, client, () -> UUID.randomUUID().toString());
  }

  private record Invocation(Webhook webhook, GroupVersionResource resource) {}

  /**
   * What one call brought back: the response, or a refusal or failure to raise; {@code invoked}
   * when the webhook was called (its matchConditions held), {@code changed} when its patch changed
   * the object.
   */
  private record Outcome(
      JsonNode response, RuntimeException error, boolean invoked, boolean changed) {
    Outcome(JsonNode response, RuntimeException error) {
      this(response, error, true, false);
    }

    static Outcome skipped() {
      return new Outcome(null, null, false, false);
    }

    Outcome withChange() {
      return new Outcome(response, error, invoked, true);
    }
  }

  /**
   * Calls the matching mutating webhooks in order, applying each one's patch. As in Kubernetes, a
   * webhook that changes the object asks the admission chain for a second round of every mutating
   * plugin ({@link Reinvocation}); in that round only the webhooks with reinvocationPolicy IfNeeded
   * that were called before a change (by a later webhook, or by a built-in plugin in the second
   * round) are called again. A webhook not called in the first round is not called in the second.
   * Outside a chain the second round covers only the webhooks.
   */
  void mutate(List<Webhook> webhooks, AdmissionRequest request) {
    Reinvocation context = Reinvocation.current().orElse(null);
    if (context != null) {
      mutateRound(webhooks, request, context);
      return;
    }
    new Reinvocation().run(() -> mutateRound(webhooks, request, Reinvocation.current().get()));
  }

  /** Which IfNeeded webhooks ran, and which are to run again, across the two rounds of a write. */
  private static final class Rounds {
    final Set<String> invokedReinvocable = new HashSet<>();
    final Set<String> reinvoke = new HashSet<>();
    JsonNode lastOutput;

    void requireReinvokingInvoked() {
      reinvoke.addAll(invokedReinvocable);
      invokedReinvocable.clear();
    }
  }

  private static String key(Webhook webhook) {
    return webhook.configuration() + "/" + webhook.name();
  }

  private void mutateRound(List<Webhook> webhooks, AdmissionRequest request, Reinvocation context) {
    if (webhooks.isEmpty() || WebhookMatcher.exempt(request)) {
      return;
    }
    Rounds rounds = context.state(Rounds.class, Rounds::new);
    if (context.isReinvoking()
        && rounds.lastOutput != null
        && !rounds.lastOutput.equals(request.object())) {
      // a built-in plugin changed the object in this round
      rounds.requireReinvokingInvoked();
    }
    ApiRequest client = Admission.currentRequest().orElse(null);
    GroupVersionResource requested = requested(request, client);
    try {
      for (Webhook webhook : webhooks) {
        if (context.isReinvoking() && !rounds.reinvoke.contains(key(webhook))) {
          continue;
        }
        Outcome outcome = mutateOnce(webhook, request, requested, client);
        if (outcome == null || !outcome.invoked()) {
          continue;
        }
        if (context.isReinvoking()) {
          log.debug(
              "event=webhook_reinvoked webhook={} configuration={}",
              webhook.name(),
              webhook.configuration());
        }
        if (outcome.changed()) {
          rounds.requireReinvokingInvoked();
          context.request();
        }
        if (webhook.reinvokedIfNeeded()) {
          rounds.invokedReinvocable.add(key(webhook));
        }
      }
    } finally {
      rounds.lastOutput = request.object() == null ? null : request.object().deepCopy();
    }
  }

  /** One mutating webhook, if it matches: the outcome with its patch applied; null if no match. */
  private Outcome mutateOnce(
      Webhook webhook,
      AdmissionRequest request,
      GroupVersionResource requested,
      ApiRequest client) {
    var resource = matcher.match(webhook, request, requested);
    if (resource.isEmpty()) {
      return null;
    }
    Outcome outcome =
        call(new Invocation(webhook, resource.get()), request, requested, client, true);
    if (outcome.error() != null) {
      throw outcome.error();
    }
    if (outcome.response() == null) {
      return outcome;
    }
    warn(outcome.response());
    return applyPatch(webhook, request, outcome.response()) ? outcome.withChange() : outcome;
  }

  void validate(List<Webhook> webhooks, AdmissionRequest request) {
    if (webhooks.isEmpty() || WebhookMatcher.exempt(request)) {
      return;
    }
    ApiRequest client = Admission.currentRequest().orElse(null);
    GroupVersionResource requested = requested(request, client);
    List<Invocation> invocations = new ArrayList<>();
    for (Webhook webhook : webhooks) {
      matcher
          .match(webhook, request, requested)
          .ifPresent(resource -> invocations.add(new Invocation(webhook, resource)));
    }
    if (invocations.isEmpty()) {
      return;
    }
    List<Outcome> outcomes = new ArrayList<>();
    if (invocations.size() == 1) {
      outcomes.add(call(invocations.get(0), request, requested, client, false));
    } else {
      try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<Outcome>> futures = new ArrayList<>();
        for (Invocation invocation : invocations) {
          futures.add(calls.submit(() -> call(invocation, request, requested, client, false)));
        }
        for (Future<Outcome> future : futures) {
          outcomes.add(join(future));
        }
      }
    }
    RuntimeException first = null;
    for (Outcome outcome : outcomes) {
      if (outcome.response() != null) {
        warn(outcome.response());
      }
      if (first == null && outcome.error() != null) {
        first = outcome.error();
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static Outcome join(Future<Outcome> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(null, ApiException.internalError("Internal error occurred: interrupted"));
    } catch (ExecutionException e) {
      return new Outcome(
          null,
          e.getCause() instanceof RuntimeException runtime
              ? runtime
              : ApiException.internalError("Internal error occurred: " + e.getCause()));
    }
  }

  /**
   * The group, version and resource of the client's URL when it names the resource being written
   * (writes the server makes on the side, and requests outside a client's, use the stored one).
   */
  static GroupVersionResource requested(AdmissionRequest request, ApiRequest client) {
    if (client != null) {
      var info = RequestInfo.parse(client);
      if (info.isPresent() && info.get().resource().equals(request.resource())) {
        return new GroupVersionResource(
            info.get().group(), info.get().version(), info.get().resource());
      }
    }
    return new GroupVersionResource(request.group(), request.type().version(), request.resource());
  }

  /**
   * One webhook call; the outcome holds the allowed response, or the error to raise. A failure to
   * call under failurePolicy Ignore yields neither.
   */
  private Outcome call(
      Invocation invocation,
      AdmissionRequest request,
      GroupVersionResource requested,
      ApiRequest client,
      boolean mutating) {
    Webhook webhook = invocation.webhook();
    try {
      if (request.dryRun()) {
        if (webhook.sideEffects() == null) {
          throw new CallingWebhookException("Webhook SideEffects is nil");
        }
        if (!webhook.supportsDryRun()) {
          return new Outcome(
              null,
              ApiException.badRequest(
                  "admission webhook \"" + webhook.name() + "\" does not support dry run"));
        }
      }
      String uid = uids.get();
      ObjectNode review =
          AdmissionReviews.request(uid, request, invocation.resource(), requested, client);
      if (!webhook.matchConditions().isEmpty()) {
        Outcome skipped = matchConditions(webhook, review);
        if (skipped != null) {
          return skipped;
        }
      }
      if (!webhook.admissionReviewVersions().isEmpty()
          && !webhook.admissionReviewVersions().contains("v1")) {
        throw new CallingWebhookException(
            "webhook does not accept v1 AdmissionReview (admissionReviewVersions "
                + webhook.admissionReviewVersions()
                + ")");
      }
      JsonNode response = AdmissionReviews.verify(uid, mutating, this.client.post(webhook, review));
      if (!response.path("allowed").asBoolean(false)) {
        return new Outcome(response, Denials.denied(webhook, request, requested, response));
      }
      return new Outcome(response, null);
    } catch (CallingWebhookException e) {
      String failure = "failed calling webhook \"" + webhook.name() + "\": " + e.getMessage();
      if (webhook.failurePolicy() == Webhook.FailurePolicy.IGNORE) {
        log.warn(
            "event=webhook_failed_open webhook={} configuration={} reason=\"{}\"",
            webhook.name(),
            webhook.configuration(),
            e.getMessage());
        return Outcome.skipped();
      }
      log.warn(
          "event=webhook_failed_closed webhook={} configuration={} reason=\"{}\"",
          webhook.name(),
          webhook.configuration(),
          e.getMessage());
      return new Outcome(null, Denials.internalError(failure));
    }
  }

  /**
   * The webhook's matchConditions against the review's request: null when they all hold; a skip
   * when one is false, or when one fails to evaluate under failurePolicy Ignore; a 500 error when
   * one fails to evaluate under Fail.
   */
  private static Outcome matchConditions(Webhook webhook, ObjectNode review) {
    ObjectNode fields = Json.object();
    for (var field : review.path("request").properties()) {
      if (!field.getKey().equals("object") && !field.getKey().equals("oldObject")) {
        fields.set(field.getKey(), field.getValue());
      }
    }
    WebhookMatchConditions.Result result =
        webhook
            .matchConditions()
            .evaluate(
                review.path("request").get("object"),
                review.path("request").get("oldObject"),
                fields);
    if (result.matches()) {
      return null;
    }
    if (result.error() == null) {
      log.debug(
          "event=webhook_skipped webhook={} configuration={} matchCondition={}",
          webhook.name(),
          webhook.configuration(),
          result.failedCondition());
      return Outcome.skipped();
    }
    if (webhook.failurePolicy() == Webhook.FailurePolicy.IGNORE) {
      log.warn(
          "event=webhook_match_conditions_failed_open webhook={} configuration={} reason=\"{}\"",
          webhook.name(),
          webhook.configuration(),
          result.error());
      return Outcome.skipped();
    }
    log.warn(
        "event=webhook_match_conditions_failed_closed webhook={} configuration={} reason=\"{}\"",
        webhook.name(),
        webhook.configuration(),
        result.error());
    return new Outcome(null, Denials.internalError(result.error()), false, false);
  }

  /** The response's warnings, with control characters (no header injection) made spaces. */
  private static void warn(JsonNode response) {
    for (JsonNode warning : response.path("warnings")) {
      String text = warning.asString("").replaceAll("\\p{Cntrl}", " ").strip();
      if (!text.isEmpty()) {
        Admission.warn(text);
      }
    }
  }

  private static boolean applyPatch(Webhook webhook, AdmissionRequest request, JsonNode response) {
    JsonNode patch;
    try {
      patch = AdmissionReviews.patch(response);
    } catch (IllegalArgumentException | JacksonException e) {
      throw Denials.internalError("invalid JSON patch: " + e.getMessage());
    }
    if (patch == null || (patch.isArray() && patch.isEmpty())) {
      return false;
    }
    ObjectNode object = request.object();
    if (object == null) {
      throw Denials.internalError(
          "admission webhook \""
              + webhook.name()
              + "\" attempted to modify the object, which is not supported for this operation");
    }
    JsonNode patched;
    try {
      patched = JsonPatch.apply(object, patch);
    } catch (PatchException e) {
      throw Denials.internalError(e.getMessage());
    }
    if (!(patched instanceof ObjectNode patchedObject)) {
      throw Denials.internalError(
          "admission webhook \"" + webhook.name() + "\" patched the object into a non-object");
    }
    if (patchedObject.equals(object)) {
      return false;
    }
    object.removeAll();
    object.setAll(patchedObject);
    return true;
  }
}
