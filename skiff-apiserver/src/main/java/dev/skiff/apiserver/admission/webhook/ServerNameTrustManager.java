package dev.skiff.apiserver.admission.webhook;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a webhook's serving certificate when it chains to the webhook's caBundle (or the JDK's
 * roots when the bundle is empty) and names {@code serverName} in its subject alternative names.
 * The name is the URL's host, or {@code <service>.<namespace>.svc} for a service reference, even
 * when the connection goes to an endpoint address: the check does not look at the address dialled.
 */
final class ServerNameTrustManager extends X509ExtendedTrustManager {
  /** A failed check, worded as Go's crypto/x509 words it (what kube-apiserver reports). */
  static final class VerificationFailed extends CertificateException {
    VerificationFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final X509TrustManager roots;
  private final String serverName;

  ServerNameTrustManager(String caBundle, String serverName) {
    this.roots = roots(caBundle);
    this.serverName = serverName;
  }

  private static X509TrustManager roots(String caBundle) {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caBundle.isBlank()) {
        factory.init((KeyStore) null);
      } else {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int index = 0;
        for (var certificate :
            CertificateFactory.getInstance("X.509")
                .generateCertificates(
                    new ByteArrayInputStream(caBundle.getBytes(StandardCharsets.UTF_8)))) {
          store.setCertificateEntry("ca-" + index++, certificate);
        }
        factory.init(store);
      }
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("no X509 trust manager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("invalid caBundle: " + e.getMessage(), e);
    }
  }

  private void check(X509Certificate[] chain, String authType) throws CertificateException {
    try {
      roots.checkServerTrusted(chain, authType);
    } catch (CertificateException e) {
      throw new VerificationFailed("x509: certificate signed by unknown authority", e);
    }
    verifyName(chain[0], serverName);
  }

  /** Throws unless {@code certificate}'s SANs name {@code host} (a DNS name or an IP literal). */
  static void verifyName(X509Certificate certificate, String host) throws CertificateException {
    List<String> dnsNames = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    Collection<List<?>> sans;
    try {
      sans = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new VerificationFailed("x509: " + e.getMessage(), e);
    }
    if (sans != null) {
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        if (type == 2) {
          dnsNames.add(String.valueOf(san.get(1)));
        } else if (type == 7) {
          addresses.add(String.valueOf(san.get(1)));
        }
      }
    }
    boolean ipHost = isIpLiteral(host);
    List<String> candidates = ipHost ? addresses : dnsNames;
    for (String candidate : candidates) {
      if (ipHost ? sameAddress(candidate, host) : dnsMatches(candidate, host)) {
        return;
      }
    }
    if (candidates.isEmpty()) {
      throw new VerificationFailed(
          "x509: certificate is not valid for any names, but wanted to match " + host, null);
    }
    throw new VerificationFailed(
        "x509: certificate is valid for " + String.join(", ", candidates) + ", not " + host, null);
  }

  static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  private static boolean sameAddress(String san, String host) {
    try {
      return InetAddress.getByName(san).equals(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean dnsMatches(String pattern, String host) {
    String wanted = strip(host);
    String name = strip(pattern);
    if (name.startsWith("*.")) {
      int dot = wanted.indexOf('.');
      return dot > 0 && wanted.substring(dot + 1).equals(name.substring(2));
    }
    return wanted.equals(name);
  }

  private static String strip(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("webhook clients do not accept client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("webhook clients do not accept client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("webhook clients do not accept client certificates");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return roots.getAcceptedIssuers();
  }
}
