package dev.skiff.apiserver.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's certificate authority and the certificates the API server needs, kept as PEM files
 * under {@code <data-dir>/tls}: {@code ca.crt/key} (10 years), {@code serving.crt/key} (1 year, for
 * every name and address the server is reached by) and {@code admin.crt/key} (CN=admin,
 * O=system:masters). Keys are EC P-256 and readable by the owner only.
 *
 * <p>Files from an earlier start are reused; the serving certificate is reissued when a wanted SAN
 * is missing from it, and any leaf is reissued when it expires within {@link #RENEW_BEFORE} or was
 * not signed by the current CA.
 */
public final class ClusterPki {
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration LEAF_VALIDITY = Duration.ofDays(365);
  public static final Duration RENEW_BEFORE = Duration.ofDays(90);

  /** The user name of the API server's client certificate toward kubelets. */
  public static final String KUBELET_CLIENT_USER = "kube-apiserver-kubelet-client";

  /** The names every serving certificate covers besides the host's own. */
  public static final List<String> DEFAULT_SANS =
      List.of(
          "localhost",
          "127.0.0.1",
          "::1",
          "kubernetes",
          "kubernetes.default",
          "kubernetes.default.svc",
          "kubernetes.default.svc.cluster.local",
          "10.43.0.1");

  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Duration BACKDATE = Duration.ofMinutes(5);

  private final Path directory;
  private final InstantSource clock;
  private final SecureRandom random;
  private final IssuedCertificate ca;
  private final IssuedCertificate serving;
  private final IssuedCertificate admin;
  private final IssuedCertificate kubeletClient;

  /**
   * Loads the PKI under {@code dataDir/tls}, creating what is missing.
   *
   * @param extraSans further DNS names or IP addresses for the serving certificate
   */
  public static ClusterPki loadOrCreate(Path dataDir, List<String> extraSans) {
    List<String> sans = new ArrayList<>(DEFAULT_SANS);
    sans.add(hostName());
    for (InetAddress address : hostAddresses()) {
      sans.add(address.getHostAddress());
    }
    sans.addAll(extraSans);
    return new ClusterPki(dataDir.resolve("tls"), sans, InstantSource.system(), new SecureRandom());
  }

  ClusterPki(Path directory, List<String> servingSans, InstantSource clock, SecureRandom random) {
    this.directory = directory;
    this.clock = clock;
    this.random = random;
    try {
      Files.createDirectories(directory);
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + directory + ": " + e.getMessage(), e);
    }
    this.ca = loadOrCreateCa();
    Set<String> wanted = normalize(servingSans);
    IssuedCertificate existingServing = loadValidLeaf("serving");
    if (existingServing == null || !sansOf(existingServing.certificate()).containsAll(wanted)) {
      existingServing =
          store("serving", issueServingCertificate("kube-apiserver", List.copyOf(wanted)));
    }
    this.serving = existingServing;
    IssuedCertificate existingAdmin = loadValidLeaf("admin");
    if (existingAdmin == null) {
      existingAdmin =
          store("admin", issueClientCertificate("admin", List.of("system:masters"), LEAF_VALIDITY));
    }
    this.admin = existingAdmin;
    IssuedCertificate existingKubeletClient = loadValidLeaf("apiserver-kubelet-client");
    if (existingKubeletClient == null) {
      existingKubeletClient =
          store(
              "apiserver-kubelet-client",
              issueClientCertificate(
                  KUBELET_CLIENT_USER, List.of("system:masters"), LEAF_VALIDITY));
    }
    this.kubeletClient = existingKubeletClient;
  }

  public Path directory() {
    return directory;
  }

  public X509Certificate caCertificate() {
    return ca.certificate();
  }

  /** The CA certificate as PEM, e.g. for a kubeconfig's certificate-authority-data. */
  public String caCertificatePem() {
    return ca.certificatePem();
  }

  public IssuedCertificate servingCertificate() {
    return serving;
  }

  /** The cluster-admin client certificate (CN=admin, O=system:masters). */
  public IssuedCertificate adminCertificate() {
    return admin;
  }

  /**
   * The API server's identity toward kubelets (CN=kube-apiserver-kubelet-client, O=system:masters),
   * used for logs, exec, attach, port-forward, node proxy and metrics.
   */
  public IssuedCertificate kubeletClientCertificate() {
    return kubeletClient;
  }

  /**
   * Issues a client certificate with a new key: the subject's CN is the user name and each O a
   * group, which is how the API server's x509 authenticator reads it.
   */
  public IssuedCertificate issueClientCertificate(
      String commonName, List<String> organizations, Duration validity) {
    KeyPair keys = newKeyPair();
    return new IssuedCertificate(
        signClientCertificate(keys.getPublic(), commonName, organizations, validity),
        keys.getPrivate());
  }

  /** Signs a client certificate for a key the caller holds (e.g. from a CSR). */
  public X509Certificate signClientCertificate(
      PublicKey publicKey, String commonName, List<String> organizations, Duration validity) {
    return sign(
        publicKey,
        subject(commonName, organizations),
        validity,
        KeyPurposeId.id_kp_clientAuth,
        List.of());
  }

  /** Issues a serving certificate for the given DNS names and IP addresses, valid one year. */
  public IssuedCertificate issueServingCertificate(String commonName, List<String> sans) {
    KeyPair keys = newKeyPair();
    return new IssuedCertificate(
        sign(
            keys.getPublic(),
            subject(commonName, List.of()),
            LEAF_VALIDITY,
            KeyPurposeId.id_kp_serverAuth,
            sans),
        keys.getPrivate());
  }

  private IssuedCertificate loadOrCreateCa() {
    Path crt = directory.resolve("ca.crt");
    Path key = directory.resolve("ca.key");
    if (Files.exists(crt) && Files.exists(key)) {
      return new IssuedCertificate(
          Pem.decodeCertificate(read(crt)), Pem.decodePrivateKey(read(key)));
    }
    KeyPair keys = newKeyPair();
    Instant now = clock.instant();
    X500Name name = subject("skiff-ca@" + now.getEpochSecond(), List.of());
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(CA_VALIDITY)),
              name,
              keys.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(keys.getPrivate())));
      IssuedCertificate issued = new IssuedCertificate(certificate, keys.getPrivate());
      return store("ca", issued);
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot create the cluster CA: " + e.getMessage(), e);
    }
  }

  private X509Certificate sign(
      PublicKey publicKey,
      X500Name subject,
      Duration validity,
      KeyPurposeId purpose,
      List<String> sans) {
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(ca.certificate().getNotAfter().toInstant())) {
      notAfter = ca.certificate().getNotAfter().toInstant();
    }
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              ca.certificate(),
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(notAfter),
              subject,
              publicKey);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(ca.certificate()));
      if (!sans.isEmpty()) {
        List<GeneralName> names = new ArrayList<>();
        for (String san : sans) {
          names.add(
              isIpLiteral(san)
                  ? new GeneralName(GeneralName.iPAddress, san)
                  : new GeneralName(GeneralName.dNSName, san));
        }
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(ca.privateKey())));
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  /** A leaf read from disk, or null when absent, expiring soon, or not signed by the CA. */
  private IssuedCertificate loadValidLeaf(String name) {
    Path crt = directory.resolve(name + ".crt");
    Path key = directory.resolve(name + ".key");
    if (!Files.exists(crt) || !Files.exists(key)) {
      return null;
    }
    X509Certificate certificate = Pem.decodeCertificate(read(crt));
    try {
      certificate.verify(ca.certificate().getPublicKey());
    } catch (GeneralSecurityException e) {
      return null;
    }
    if (certificate.getNotAfter().toInstant().isBefore(clock.instant().plus(RENEW_BEFORE))) {
      return null;
    }
    return new IssuedCertificate(certificate, Pem.decodePrivateKey(read(key)));
  }

  private IssuedCertificate store(String name, IssuedCertificate issued) {
    Pem.writeAtomically(directory.resolve(name + ".key"), issued.privateKeyPem(), "rw-------");
    Pem.writeAtomically(directory.resolve(name + ".crt"), issued.certificatePem(), "rw-r--r--");
    return issued;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static X500Name subject(String commonName, List<String> organizations) {
    X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
    for (String organization : organizations) {
      builder.addRDN(BCStyle.O, organization);
    }
    builder.addRDN(BCStyle.CN, commonName);
    return builder.build();
  }

  private KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available: " + e.getMessage(), e);
    }
  }

  private BigInteger serial() {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }

  /** The SANs of a certificate, DNS names lower-cased and IP addresses in canonical form. */
  static Set<String> sansOf(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return Set.of();
      }
      List<String> values = new ArrayList<>();
      for (List<?> name : names) {
        values.add(String.valueOf(name.get(1)));
      }
      return normalize(values);
    } catch (CertificateParsingException e) {
      return Set.of();
    }
  }

  private static Set<String> normalize(List<String> sans) {
    Set<String> normalized = new LinkedHashSet<>();
    for (String san : sans) {
      String value = san.trim();
      if (value.isEmpty()) {
        continue;
      }
      if (isIpLiteral(value)) {
        try {
          value = InetAddress.getByName(value).getHostAddress();
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("invalid IP address " + san, e);
        }
      } else {
        value = value.toLowerCase(Locale.ROOT);
      }
      normalized.add(value);
    }
    return normalized;
  }

  private static boolean isIpLiteral(String value) {
    return value.indexOf(':') >= 0 || IPV4.matcher(value).matches();
  }

  private static String hostName() {
    String fromEnvironment = System.getenv("HOSTNAME");
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return fromEnvironment == null || fromEnvironment.isBlank() ? "localhost" : fromEnvironment;
    }
  }

  /** Every address of the machine's up interfaces but loopback and IPv6 link-local ones. */
  private static List<InetAddress> hostAddresses() {
    List<InetAddress> addresses = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (!address.isLoopbackAddress()
              && !address.isAnyLocalAddress()
              && !(address.isLinkLocalAddress() && address.getAddress().length == 16)) {
            addresses.add(stripScope(address));
          }
        }
      }
    } catch (SocketException e) {
      return addresses;
    }
    return addresses;
  }

  private static InetAddress stripScope(InetAddress address) {
    try {
      return InetAddress.getByAddress(address.getAddress());
    } catch (UnknownHostException e) {
      return address;
    }
  }
}
