package dev.skiff.cli;

import dev.skiff.api.Json;
import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.KubeconfigWriter;
import dev.skiff.apiserver.pki.Pem;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code skiff certs check|rotate}: the server's certificates under {@code <data-dir>/tls}. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = "Checks or renews the server's certificates.",
    subcommands = {CertsCommand.Check.class, CertsCommand.Rotate.class})
public final class CertsCommand {

  static Path tlsDirectory(Path dataDir) {
    Path dir = (dataDir != null ? dataDir : DataDirs.defaultDataDir()).resolve("tls");
    if (!Files.exists(dir.resolve("ca.crt"))) {
      throw new IllegalStateException("no cluster certificates under " + dir);
    }
    return dir;
  }

  /** {@code skiff certs check}: every certificate with its expiry and time left. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Lists certificate expiry dates.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      Path dir = tlsDirectory(dataDir);
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.crt")) {
        stream.forEach(files::add);
      }
      files.sort(null);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-12s %-22s %-16s %s%n", "CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "SUBJECT");
      Instant now = Instant.now();
      for (Path file : files) {
        X509Certificate certificate = Pem.decodeCertificate(Files.readString(file));
        Instant expires = certificate.getNotAfter().toInstant();
        String name = file.getFileName().toString().replaceFirst("\\.crt$", "");
        out.printf(
            "%-12s %-22s %-16s %s%n",
            name,
            expires.truncatedTo(ChronoUnit.SECONDS),
            residual(Duration.between(now, expires)),
            certificate.getSubjectX500Principal().getName());
      }
      out.flush();
      return 0;
    }
  }

  static String residual(Duration left) {
    if (left.isNegative()) {
      return "<invalid>";
    }
    long days = left.toDays();
    return days >= 365 ? days / 365 + "y" : days > 0 ? days + "d" : left.toHours() + "h";
  }

  /**
   * {@code skiff certs rotate}: issues new serving and admin certificates from the same CA and
   * rewrites the admin kubeconfig; the server uses them from its next start.
   */
  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = "Renews the serving and admin certificates (restart the server afterwards).")
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory.")
    Path dataDir;

    @Option(
        names = "--write-kubeconfig",
        paramLabel = "PATH",
        description = "The admin kubeconfig to rewrite (default <data-dir>/admin.kubeconfig).")
    Path kubeconfig;

    @Option(
        names = "--tls-san",
        paramLabel = "NAME",
        description = "Extra serving name; repeatable.")
    List<String> tlsSans = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Path dir = tlsDirectory(dataDir);
      Path data = dir.getParent();
      for (String leaf : List.of("serving", "admin")) {
        Files.deleteIfExists(dir.resolve(leaf + ".crt"));
        Files.deleteIfExists(dir.resolve(leaf + ".key"));
      }
      ClusterPki pki = ClusterPki.loadOrCreate(data, tlsSans);
      Path admin = kubeconfig != null ? kubeconfig : data.resolve("admin.kubeconfig");
      if (Files.exists(admin)) {
        var config = Json.YAML.readTree(Files.readString(admin));
        String server = config.path("clusters").path(0).path("cluster").path("server").asString("");
        if (!server.isEmpty()) {
          KubeconfigWriter.writeAdmin(admin, server, pki);
        }
      }
      spec.commandLine()
          .getOut()
          .println(
              "serving and admin certificates renewed until "
                  + pki.servingCertificate()
                      .certificate()
                      .getNotAfter()
                      .toInstant()
                      .truncatedTo(ChronoUnit.SECONDS)
                  + "; restart the server to use them");
      return 0;
    }
  }
}
