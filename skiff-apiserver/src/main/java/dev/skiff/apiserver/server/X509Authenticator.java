package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * Authenticates by the client certificate the TLS layer verified against the client CA: the user
 * name is the subject's CN, the groups its O values plus {@code system:authenticated}. The user is
 * computed once per TLS session and kept in it.
 */
public final class X509Authenticator implements Authenticator {
  public static final String AUTHENTICATED_GROUP = "system:authenticated";
  private static final String SESSION_KEY = "dev.skiff.apiserver.x509.user";

  @Override
  public Optional<UserInfo> authenticate(ApiRequest request, SSLSession tls) {
    if (tls == null) {
      return Optional.empty();
    }
    if (tls.getValue(SESSION_KEY) instanceof UserInfo cached) {
      return Optional.of(cached);
    }
    Certificate[] chain;
    try {
      chain = tls.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    Optional<UserInfo> user = userOf(leaf.getSubjectX500Principal());
    user.ifPresent(u -> tls.putValue(SESSION_KEY, u));
    return user;
  }

  /** The user a certificate subject names, or empty when it has no CN. */
  static Optional<UserInfo> userOf(X500Principal subject) {
    String name = null;
    List<String> groups = new ArrayList<>();
    try {
      // LdapName lists RDNs in the certificate's (ASN.1) order
      for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN") && name == null) {
          name = String.valueOf(rdn.getValue());
        } else if (rdn.getType().equalsIgnoreCase("O")) {
          groups.add(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    if (name == null || name.isEmpty()) {
      return Optional.empty();
    }
    if (!groups.contains(AUTHENTICATED_GROUP)) {
      groups.add(AUTHENTICATED_GROUP);
    }
    return Optional.of(new UserInfo(name, "", groups, Map.of()));
  }
}
