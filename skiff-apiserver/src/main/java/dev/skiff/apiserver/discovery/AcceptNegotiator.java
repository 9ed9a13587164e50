package dev.skiff.apiserver.discovery;

import dev.skiff.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Accept header negotiation as the Kubernetes API server does it: clauses are tried by quality,
 * concrete types before wildcards; a clause matches a serializer when its type and subtype match
 * (or are wildcards) and every parameter is one the server understands ({@code g}, {@code v},
 * {@code as}, {@code pretty}); a conversion ({@code as=…}) must be one the endpoint allows. The
 * first clause that matches wins; no match is 406 NotAcceptable. An empty header means the first
 * serializer.
 */
public final class AcceptNegotiator {
  public static final String JSON = "application/json";
  public static final String YAML = "application/yaml";

  private final List<String> serializers;
  private final Predicate<MediaTypeChoice> allowedConversion;
  private final boolean ignoreParameters;

  /**
   * @param serializers the media types the endpoint can write, preferred first
   * @param allowedConversion which {@code g/v/as} conversions the endpoint serves
   */
  public AcceptNegotiator(List<String> serializers, Predicate<MediaTypeChoice> allowedConversion) {
    this(serializers, allowedConversion, false);
  }

  private AcceptNegotiator(
      List<String> serializers,
      Predicate<MediaTypeChoice> allowedConversion,
      boolean ignoreParameters) {
    this.serializers = List.copyOf(serializers);
    this.allowedConversion = allowedConversion;
    this.ignoreParameters = ignoreParameters;
  }

  /**
   * Matches type and subtype only, as the OpenAPI endpoints do: parameters never make a clause
   * unacceptable and never ask for a conversion.
   */
  public static AcceptNegotiator ignoringParameters(List<String> serializers) {
    return new AcceptNegotiator(serializers, choice -> false, true);
  }

  /** JSON and YAML, no conversions: Kubernetes' default endpoint restrictions. */
  public static AcceptNegotiator plain() {
    return new AcceptNegotiator(List.of(JSON, YAML), choice -> false);
  }

  /** The chosen media type; throws 406 NotAcceptable when no clause is acceptable. */
  public MediaTypeChoice negotiate(String acceptHeader) {
    return tryNegotiate(acceptHeader)
        .orElseThrow(
            () ->
                ApiException.notAcceptable(
                    "only the following media types are accepted: "
                        + String.join(", ", serializers)));
  }

  /** The chosen media type, or empty when no clause is acceptable. */
  public Optional<MediaTypeChoice> tryNegotiate(String acceptHeader) {
    if (acceptHeader == null || acceptHeader.isBlank()) {
      return Optional.of(MediaTypeChoice.plain(serializers.get(0)));
    }
    for (Clause clause : parse(acceptHeader)) {
      for (String serializer : serializers) {
        Optional<MediaTypeChoice> choice = clause.match(serializer, ignoreParameters);
        if (choice.isPresent()
            && (!choice.get().converted() || allowedConversion.test(choice.get()))) {
          return choice;
        }
      }
    }
    return Optional.empty();
  }

  private record Clause(String type, String subtype, List<String[]> params, double q) {
    Optional<MediaTypeChoice> match(String serializer, boolean ignoreParameters) {
      int slash = serializer.indexOf('/');
      String serializerType = serializer.substring(0, slash);
      String serializerSubtype = serializer.substring(slash + 1);
      if (!type.equals("*") && !type.equals(serializerType)) {
        return Optional.empty();
      }
      if (!subtype.equals("*") && !subtype.equals(serializerSubtype)) {
        return Optional.empty();
      }
      if (ignoreParameters) {
        return Optional.of(MediaTypeChoice.plain(serializer));
      }
      String group = null;
      String version = null;
      String as = null;
      for (String[] param : params) {
        switch (param[0]) {
          case "g" -> group = param[1];
          case "v" -> version = param[1];
          case "as" -> as = param[1];
          case "pretty" -> {}
          default -> {
            return Optional.empty();
          }
        }
      }
      if (as == null) {
        return Optional.of(MediaTypeChoice.plain(serializer));
      }
      return Optional.of(
          new MediaTypeChoice(
              serializer, group == null ? "" : group, version == null ? "" : version, as));
    }
  }

  private static List<Clause> parse(String header) {
    List<Clause> clauses = new ArrayList<>();
    for (String part : header.split(",")) {
      String[] pieces = part.split(";");
      String range = pieces[0].trim().toLowerCase(Locale.ROOT);
      if (range.isEmpty()) {
        continue;
      }
      if (range.equals("*")) {
        range = "*/*";
      }
      int slash = range.indexOf('/');
      if (slash <= 0 || slash == range.length() - 1) {
        continue;
      }
      double q = 1.0;
      List<String[]> params = new ArrayList<>();
      for (int i = 1; i < pieces.length; i++) {
        String piece = pieces[i].trim();
        if (piece.isEmpty()) {
          continue;
        }
        int eq = piece.indexOf('=');
        String name = (eq < 0 ? piece : piece.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        String value = eq < 0 ? "" : piece.substring(eq + 1).trim();
        if (name.equals("q")) {
          try {
            q = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            q = 0;
          }
        } else {
          params.add(new String[] {name, value});
        }
      }
      if (q > 0) {
        clauses.add(new Clause(range.substring(0, slash), range.substring(slash + 1), params, q));
      }
    }
    // Stable: equal clauses keep the client's order.
    clauses.sort(
        Comparator.comparingDouble((Clause c) -> -c.q())
            .thenComparing(c -> c.type().equals("*"))
            .thenComparing(c -> c.subtype().equals("*")));
    return clauses;
  }
}
