package dev.skiff.bench.api;

import dev.skiff.api.Json;
import dev.skiff.apiserver.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import tools.jackson.databind.JsonNode;

/** A JDK HTTP/2 client authenticated with the client certificate of an admin kubeconfig. */
final class AdminHttpClient {
  private final HttpClient client;
  private final String server;

  AdminHttpClient(Path kubeconfig) {
    try {
      JsonNode config = Json.YAML.readTree(Files.readString(kubeconfig));
      JsonNode cluster = config.path("clusters").get(0).path("cluster");
      JsonNode user = config.path("users").get(0).path("user");
      server = cluster.path("server").asString();
      X509Certificate ca = Pem.decodeCertificate(decode(cluster, "certificate-authority-data"));
      X509Certificate cert = Pem.decodeCertificate(decode(user, "client-certificate-data"));
      PrivateKey key = Pem.decodePrivateKey(decode(user, "client-key-data"));

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = "bench".toCharArray();
      keys.setKeyEntry("admin", key, password, new Certificate[] {cert});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_2)
              .sslContext(tls)
              .connectTimeout(Duration.ofSeconds(10))
              .executor(Executors.newVirtualThreadPerTaskExecutor())
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String decode(JsonNode node, String field) {
    return new String(
        Base64.getDecoder().decode(node.path(field).asString()), StandardCharsets.UTF_8);
  }

  HttpClient http() {
    return client;
  }

  HttpResponse<byte[]> send(String method, String path, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server + path)).header("Accept", "application/json");
    if (body != null) {
      request.header("Content-Type", "application/json");
      request.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  URI uri(String path) {
    return URI.create(server + path);
  }
}
