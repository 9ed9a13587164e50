package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.IssuedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Raw requests to the API server as the cluster admin (or another user): exact status codes and
 * bodies.
 */
final class AdminHttp {
  record Reply(int status, String body) {}

  private final String url;
  private final SSLContext tls;
  private final HttpClient client;

  AdminHttp(String url, ClusterPki pki) throws Exception {
    this(url, pki, pki.adminCertificate());
  }

  /** Requests as the user of {@code identity} (a client certificate from the cluster CA). */
  AdminHttp(String url, ClusterPki pki, IssuedCertificate identity) throws Exception {
    this.url = url;
    this.tls = clientTls(pki, identity);
    this.client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls).build();
  }

  SSLContext tls() {
    return tls;
  }

  Reply send(String method, String path) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(url + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body());
  }

  Reply get(String path) throws Exception {
    return send("GET", path);
  }

  Reply get(String path, String accept) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(url + path)).header("Accept", accept).build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body());
  }

  static SSLContext clientTls(ClusterPki pki, IssuedCertificate admin) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "admin",
        admin.privateKey(),
        new char[0],
        new Certificate[] {admin.certificate(), pki.caCertificate()});
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", pki.caCertificate());
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), new SecureRandom());
    return context;
  }
}
