package dev.skiff.kubelet.prober;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The kubelet's HTTP GET for httpGet probes and hooks: one request per connection, HTTPS without
 * certificate verification, any Host header the pod asks for (which the JDK clients refuse), at
 * most 10 KiB of body read, redirects followed as Kubernetes follows them. Failures are {@link
 * HttpGetException}s worded as Go's client words them ({@code Get "URL": dial tcp ...}).
 */
final class HttpGetClient {
  /** The kubelet stops reading a probe's response body here. */
  static final int MAX_BODY = 10 * 1024;

  private static final int MAX_REDIRECTS = 10;

  static final String HTTP_RESPONSE_TO_HTTPS = "http: server gave HTTP response to HTTPS client";

  // network deadlines are real time, whatever clock schedules the probes
  private final InstantSource clock = InstantSource.system();

  /**
   * @param headers in order; a {@code Host} entry sets the Host header
   * @param timeout the whole exchange's limit, or null for none
   * @param followNonLocalRedirects false for probes: a redirect to another host ends the exchange
   *     and its 3xx response is returned
   */
  record Request(
      String scheme,
      String host,
      int port,
      String path,
      List<Map.Entry<String, String>> headers,
      Duration timeout,
      boolean followNonLocalRedirects) {

    /** The same request following redirects to any host (hooks do, probes do not). */
    Request followingAllRedirects() {
      return new Request(scheme, host, port, path, headers, timeout, true);
    }

    Request withoutHeader(String name) {
      List<Map.Entry<String, String>> kept =
          headers.stream().filter(h -> !h.getKey().equalsIgnoreCase(name)).toList();
      return new Request(scheme, host, port, path, kept, timeout, followNonLocalRedirects);
    }

    Request withScheme(String newScheme) {
      return new Request(newScheme, host, port, path, headers, timeout, followNonLocalRedirects);
    }

    /** The URL as Go prints it: {@code http://10.0.0.1:8080/healthz}. */
    String url() {
      String p = path == null ? "" : path;
      if (!p.isEmpty() && !p.startsWith("/")) {
        p = "/" + p;
      }
      return scheme + "://" + NetErrors.joinHostPort(host, port) + p;
    }
  }

  record Response(int status, String body) {}

  /** A request that got no response; the message is Go's {@code Get "URL": reason}. */
  static final class HttpGetException extends Exception {
    private final boolean timedOut;
    private final boolean plainHttpServer;

    HttpGetException(String message) {
      this(message, false, false);
    }

    HttpGetException(String message, boolean timedOut) {
      this(message, timedOut, false);
    }

    HttpGetException(String message, boolean timedOut, boolean plainHttpServer) {
      super(message);
      this.timedOut = timedOut;
      this.plainHttpServer = plainHttpServer;
    }

    /** An HTTPS request answered in plain HTTP. */
    boolean plainHttpServer() {
      return plainHttpServer;
    }

    /** The request's time limit ran out. */
    boolean timedOut() {
      return timedOut;
    }
  }

  Response get(Request request) throws HttpGetException {
    Instant deadline = request.timeout() == null ? null : clock.instant().plus(request.timeout());
    URI first = uri(request.url(), request.url());
    URI current = first;
    int redirects = 0;
    while (true) {
      Exchange exchange = exchange(request, current, deadline);
      int code = exchange.status();
      String location = exchange.headers().get("location");
      boolean redirect =
          (code == 301 || code == 302 || code == 303 || code == 307 || code == 308)
              && location != null
              && !location.isEmpty();
      if (!redirect) {
        return new Response(code, exchange.body());
      }
      URI next;
      try {
        next = current.resolve(new URI(location));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new HttpGetException(
            "Get \"" + current + "\": failed to parse Location header \"" + location + "\"");
      }
      if (!request.followNonLocalRedirects() && !hostname(next).equalsIgnoreCase(hostname(first))) {
        return new Response(code, exchange.body());
      }
      if (++redirects >= MAX_REDIRECTS) {
        throw new HttpGetException("Get \"" + next + "\": stopped after 10 redirects");
      }
      current = next;
    }
  }

  private record Exchange(int status, Map<String, String> headers, String body) {}

  private Exchange exchange(Request request, URI uri, Instant deadline) throws HttpGetException {
    String url = uri.toString();
    String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = hostname(uri);
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
    Socket socket = new Socket();
    try {
      try {
        socket.connect(new InetSocketAddress(host, port), remainingMillis(deadline, url));
      } catch (SocketTimeoutException e) {
        throw timeout(url);
      } catch (IOException e) {
        throw new HttpGetException("Get \"" + url + "\": " + NetErrors.dial(host, port, e));
      }
      Socket s = socket;
      if ("https".equals(scheme)) {
        SSLSocket tls =
            (SSLSocket) insecureTls().getSocketFactory().createSocket(socket, host, port, true);
        tls.setSoTimeout(remainingMillis(deadline, url));
        try {
          tls.startHandshake();
        } catch (javax.net.ssl.SSLException e) {
          String m = String.valueOf(e.getMessage());
          if (m.contains("Unsupported or unrecognized SSL message")) {
            throw new HttpGetException(
                "Get \"" + url + "\": " + HTTP_RESPONSE_TO_HTTPS, false, true);
          }
          throw new HttpGetException("Get \"" + url + "\": tls: " + m);
        }
        s = tls;
      }
      s.setSoTimeout(remainingMillis(deadline, url));
      OutputStream out = s.getOutputStream();
      out.write(requestHead(request, uri).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = new java.io.BufferedInputStream(s.getInputStream());
      String statusLine;
      Map<String, String> headers;
      do {
        statusLine = readLine(in);
        if (statusLine == null) {
          throw new HttpGetException("Get \"" + url + "\": EOF");
        }
        headers = readHeaders(in);
      } while (statusLine.matches("HTTP/\\d\\.\\d 1\\d\\d.*") && !statusLine.contains(" 101"));
      int status = parseStatus(statusLine, url);
      s.setSoTimeout(remainingMillis(deadline, url));
      // 204 and 304 have no body, whatever the headers say
      String body = status == 204 || status == 304 ? "" : readBody(in, headers);
      return new Exchange(status, headers, body);
    } catch (SocketTimeoutException e) {
      throw timeout(url);
    } catch (IOException e) {
      throw new HttpGetException("Get \"" + url + "\": " + NetErrors.tail(e));
    } finally {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }

  private static String requestHead(Request request, URI uri) {
    String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      target += "?" + uri.getRawQuery();
    }
    String hostHeader = uri.getRawAuthority();
    List<Map.Entry<String, String>> rest = new ArrayList<>();
    for (Map.Entry<String, String> h : request.headers()) {
      if (h.getKey().equalsIgnoreCase("host")) {
        hostHeader = h.getValue();
      } else if (!h.getKey().equalsIgnoreCase("connection")) {
        rest.add(h);
      }
    }
    StringBuilder b = new StringBuilder();
    b.append("GET ").append(target).append(" HTTP/1.1\r\n");
    b.append("Host: ").append(hostHeader).append("\r\n");
    for (Map.Entry<String, String> h : rest) {
      b.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    b.append("Connection: close\r\n\r\n");
    return b.toString();
  }

  private static int parseStatus(String statusLine, String url) throws HttpGetException {
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new HttpGetException(
          "Get \""
              + url
              + "\": net/http: HTTP/1.x transport connection broken: malformed HTTP"
              + " response \""
              + statusLine
              + "\"");
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new HttpGetException(
          "Get \"" + url + "\": malformed HTTP status code \"" + parts[1] + "\"");
    }
  }

  private static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    return headers;
  }

  private static String readBody(InputStream in, Map<String, String> headers) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String te = headers.get("transfer-encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      while (body.size() < MAX_BODY) {
        String sizeLine = readLine(in);
        if (sizeLine == null) {
          break;
        }
        int semi = sizeLine.indexOf(';');
        String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
        int size;
        try {
          size = Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
          break;
        }
        if (size == 0) {
          break;
        }
        copy(in, body, size);
        readLine(in);
      }
    } else {
      String cl = headers.get("content-length");
      long length = Long.MAX_VALUE;
      if (cl != null) {
        try {
          length = Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
          length = Long.MAX_VALUE;
        }
      }
      copy(in, body, length);
    }
    byte[] bytes = body.toByteArray();
    int n = Math.min(bytes.length, MAX_BODY);
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  /** Copies up to {@code length} bytes, stopping at {@link #MAX_BODY} in total or at EOF. */
  private static void copy(InputStream in, ByteArrayOutputStream body, long length)
      throws IOException {
    byte[] buf = new byte[4096];
    long left = length;
    while (left > 0 && body.size() < MAX_BODY) {
      int want = (int) Math.min(buf.length, Math.min(left, MAX_BODY - body.size()));
      int r = in.read(buf, 0, want);
      if (r < 0) {
        return;
      }
      body.write(buf, 0, r);
      left -= r;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        byte[] b = line.toByteArray();
        int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
      }
      if (line.size() > 64 * 1024) {
        throw new IOException("header line too long");
      }
      line.write(c);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private int remainingMillis(Instant deadline, String url) throws HttpGetException {
    if (deadline == null) {
      return 0; // no limit
    }
    long ms = Duration.between(clock.instant(), deadline).toMillis();
    if (ms <= 0) {
      throw timeout(url);
    }
    return (int) Math.min(ms, Integer.MAX_VALUE);
  }

  private static HttpGetException timeout(String url) {
    return new HttpGetException(
        "Get \""
            + url
            + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        true);
  }

  private static URI uri(String text, String url) throws HttpGetException {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new HttpGetException("parse \"" + url + "\": " + e.getReason());
    }
  }

  private static String hostname(URI uri) {
    String h = uri.getHost();
    if (h == null) {
      return "";
    }
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private static SSLContext insecureTls() throws IOException {
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {new TrustAll()}, null);
      return tls;
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  /** Probes and hooks do not verify the container's certificate, as Kubernetes'. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
