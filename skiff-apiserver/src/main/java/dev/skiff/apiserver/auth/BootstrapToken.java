package dev.skiff.apiserver.auth;

import dev.skiff.api.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * A node join token: a Kubernetes bootstrap token ({@code <id>.<secret>}, 6 and 16 characters of
 * [a-z0-9]) that authenticates as {@code system:bootstrap:<id>} in group {@code
 * system:bootstrappers}, optionally prefixed as k3s does with the SHA-256 of the cluster CA bundle
 * ({@code K10<hex>::<id>.<secret>}) so that a joining node can check the server before trusting it.
 */
public record BootstrapToken(String id, String secret, String caHash) {
  /** The Secret type and namespace Kubernetes keeps bootstrap tokens in. */
  public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";

  public static final String NAMESPACE = "kube-system";
  public static final String SECRET_PREFIX = "bootstrap-token-";
  public static final String GROUP = "system:bootstrappers";
  public static final String USER_PREFIX = "system:bootstrap:";

  private static final Pattern BEARER = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{16})");
  private static final Pattern FULL =
      Pattern.compile("(?:K10([0-9a-f]{64})::)?([a-z0-9]{6})\\.([a-z0-9]{16})");
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  /** Parses {@code <id>.<secret>} or {@code K10<ca-sha256>::<id>.<secret>}. */
  public static Optional<BootstrapToken> parse(String text) {
    Matcher m = FULL.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new BootstrapToken(m.group(2), m.group(3), m.group(1)));
  }

  /** Whether a bearer token has the bootstrap token's shape. */
  public static Optional<BootstrapToken> parseBearer(String bearer) {
    Matcher m = BEARER.matcher(bearer);
    return m.matches()
        ? Optional.of(new BootstrapToken(m.group(1), m.group(2), null))
        : Optional.empty();
  }

  /** A new random token pinned to the given CA bundle. */
  public static BootstrapToken generate(String caBundlePem) {
    SecureRandom random = new SecureRandom();
    return new BootstrapToken(
        randomString(random, 6), randomString(random, 16), caHash(caBundlePem));
  }

  /** The same token pinned to a CA bundle (a user's {@code --token} without the K10 prefix). */
  public BootstrapToken pinnedTo(String caBundlePem) {
    return new BootstrapToken(id, secret, caHash(caBundlePem));
  }

  private static String randomString(SecureRandom random, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }

  /** Hex SHA-256 of the CA bundle exactly as {@code /cacerts} serves it. */
  public static String caHash(String caBundlePem) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(caBundlePem.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What goes in the Authorization header. */
  public String bearer() {
    return id + "." + secret;
  }

  public String user() {
    return USER_PREFIX + id;
  }

  /** The token as written to {@code <data-dir>/token} and given to agents. */
  @Override
  public String toString() {
    return caHash == null ? bearer() : "K10" + caHash + "::" + bearer();
  }

  /** The kube-system Secret that makes the token valid for authentication. */
  public ObjectNode secretObject() {
    ObjectNode secret = Json.object();
    secret.put("apiVersion", "v1");
    secret.put("kind", "Secret");
    ObjectNode metadata = secret.putObject("metadata");
    metadata.put("name", SECRET_PREFIX + id);
    metadata.put("namespace", NAMESPACE);
    secret.put("type", SECRET_TYPE);
    ObjectNode data = secret.putObject("data");
    data.put("token-id", base64(id));
    data.put("token-secret", base64(secret()));
    data.put("usage-bootstrap-authentication", base64("true"));
    data.put("description", base64("The node join token of this Skiff server (<data-dir>/token)."));
    return secret;
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
