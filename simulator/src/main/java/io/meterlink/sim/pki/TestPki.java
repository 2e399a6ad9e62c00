package io.meterlink.sim.pki;

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
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A throw-away PKI for tests and the demo: one CA and the certificates it issues, all EC P-256,
 * written as PEM files into one directory (private keys PKCS#8, mode 0600).
 *
 * <p>{@link #create(Path)} makes the CA ({@code ca.crt}, {@code ca.key}); each {@code issue…} call
 * writes {@code <name>.crt} and {@code <name>.key}. Certificates are signed with SHA256withECDSA.
 * Not thread-safe (tests use one instance from one thread).
 */
public final class TestPki {

    /** Default validity of issued certificates: from an hour ago (clock skew) to 30 days ahead. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * A certificate and its key on disk.
     *
     * @param name        base file name ({@code <name>.crt}, {@code <name>.key})
     * @param certFile    the certificate, PEM
     * @param keyFile     the private key, PKCS#8 PEM, mode 0600
     * @param certificate the certificate
     * @param privateKey  the private key
     */
    public record Issued(String name, Path certFile, Path keyFile, X509Certificate certificate, PrivateKey privateKey) {
    }

    /**
     * A key store file.
     *
     * @param path     the file
     * @param password store and key password
     * @param type     {@code PKCS12}
     * @param alias    the alias of the key entry (or of the trusted certificate in a trust store)
     */
    public record KeyStoreFile(Path path, String password, String type, String alias) {
    }

    private final Path dir;
    private final Issued ca;
    private final SecureRandom random;

    private TestPki(Path dir, Issued ca, SecureRandom random) {
        this.dir = dir;
        this.ca = ca;
        this.random = random;
    }

    /** Creates a new CA named "Meterlink Test CA" in {@code dir} (created if missing). */
    public static TestPki create(Path dir) {
        return create(dir, "Meterlink Test CA");
    }

    /** Creates a new CA with the given common name in {@code dir} (created if missing); files {@code ca.crt}, {@code ca.key}. */
    public static TestPki create(Path dir, String caName) {
        try {
            Files.createDirectories(dir);
            SecureRandom random = new SecureRandom();
            KeyPair kp = newKeyPair(random);
            X500Name subject = name(caName);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(random),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = sign(b, kp.getPrivate());
            Issued ca = write(dir, "ca", cert, kp.getPrivate());
            return new TestPki(dir, ca, random);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create test CA", e);
        }
    }

    public Path dir() { return dir; }

    /** The CA certificate and key. */
    public Issued ca() { return ca; }

    /** The CA certificate file (PEM): what clients pin and what the broker's {@code cafile} names. */
    public Path caFile() { return ca.certFile(); }

    /** A client certificate (EKU clientAuth) with CN = {@code cn}, valid now; files {@code client-<cn>.crt/.key}. */
    public Issued issueClient(String cn) {
        Instant now = Instant.now();
        return issue("client-" + safe(cn), cn, List.of(), now.minus(Duration.ofHours(1)), now.plus(DEFAULT_VALIDITY), false);
    }

    /** The usual broker certificate: CN localhost, SAN DNS:localhost and IP:127.0.0.1, valid now; files {@code server.crt/.key}. */
    public Issued issueLocalhostServer() {
        Instant now = Instant.now();
        return issueServer("server", List.of("localhost", "127.0.0.1"), now.minus(Duration.ofHours(1)), now.plus(DEFAULT_VALIDITY));
    }

    /** A broker certificate for a host that is not this one (SAN DNS:wrong-host.example only), otherwise valid. */
    public Issued issueWrongHostServer() {
        Instant now = Instant.now();
        return issueServer("server-wronghost", List.of("wrong-host.example"), now.minus(Duration.ofHours(1)), now.plus(DEFAULT_VALIDITY));
    }

    /** A broker certificate for localhost/127.0.0.1 that expired yesterday. */
    public Issued issueExpiredServer() {
        Instant now = Instant.now();
        return issueServer("server-expired", List.of("localhost", "127.0.0.1"),
                now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    }

    /**
     * A server certificate (EKU serverAuth). CN is the first name; every entry of {@code names}
     * becomes a SAN, as {@code IP:} when it is an IPv4 literal or contains ':', else {@code DNS:}.
     */
    public Issued issueServer(String name, List<String> names, Instant notBefore, Instant notAfter) {
        if (names.isEmpty()) throw new IllegalArgumentException("a server certificate needs at least one name");
        return issue(safe(name), names.get(0), names, notBefore, notAfter, true);
    }

    /**
     * A second, unrelated CA in the sub-directory {@code name} of this PKI's directory: a broker
     * certificate from it must be refused by clients that pin this PKI's CA.
     */
    public TestPki unrelatedCa(String name) {
        return create(dir.resolve(safe(name)), "Unrelated Test CA " + name);
    }

    /**
     * A PKCS#12 key store holding {@code server}'s key and its chain (leaf, CA) under alias
     * {@code server}, for an embedded Java broker (Moquette). File {@code <name>.p12}; password
     * is random.
     */
    public KeyStoreFile serverKeyStore(Issued server) {
        return keyStore(server);
    }

    /**
     * A PKCS#12 key store holding {@code identity}'s key and its chain (leaf, CA) under alias
     * {@code server} — for a Java broker or a Java MQTT client (head-end). File {@code <name>.p12};
     * random password.
     */
    public KeyStoreFile keyStore(Issued server) {
        try {
            String password = randomPassword();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", server.privateKey(), password.toCharArray(),
                    new Certificate[]{server.certificate(), ca.certificate()});
            return store(ks, dir.resolve(server.name() + ".p12"), password, "server");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write key store", e);
        }
    }

    /** A PKCS#12 trust store with this CA's certificate (alias {@code ca}); file {@code ca-trust.p12}. */
    public KeyStoreFile trustStore() {
        try {
            String password = randomPassword();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca.certificate());
            return store(ks, dir.resolve("ca-trust.p12"), password, "ca");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write trust store", e);
        }
    }

    private Issued issue(String fileName, String cn, List<String> sans, Instant notBefore, Instant notAfter, boolean server) {
        try {
            KeyPair kp = newKeyPair(random);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(random),
                    Date.from(notBefore), Date.from(notAfter), name(cn), kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
            if (!sans.isEmpty()) {
                List<GeneralName> gn = new ArrayList<>();
                for (String s : sans) {
                    boolean ip = IPV4.matcher(s).matches() || s.contains(":");
                    gn.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, s));
                }
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(gn.toArray(GeneralName[]::new)));
            }
            return write(dir, fileName, sign(b, ca.privateKey()), kp.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue certificate " + fileName, e);
        }
    }

    private static KeyPair newKeyPair(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner cs = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
        X509CertificateHolder holder = b.build(cs);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static X500Name name(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Meterlink Test").addRDN(BCStyle.CN, cn).build();
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(63, random).add(BigInteger.ONE);
    }

    private static Issued write(Path dir, String name, X509Certificate cert, PrivateKey key) throws IOException {
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem(cert), StandardCharsets.US_ASCII);
        writePrivate(keyFile, pem(new JcaPKCS8Generator(key, null)).getBytes(StandardCharsets.US_ASCII));
        return new Issued(name, certFile, keyFile, cert, key);
    }

    private static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }

    /** Writes a file that only its owner may read (0600), replacing any previous one. */
    static void writePrivate(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system
        } catch (FileAlreadyExistsException e) {
            throw new IOException("file appeared while writing: " + file, e);
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(content);
        }
    }

    private KeyStoreFile store(KeyStore ks, Path file, String password, String alias) throws IOException, GeneralSecurityException {
        java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
        ks.store(bos, password.toCharArray());
        writePrivate(file, bos.toByteArray());
        return new KeyStoreFile(file, password, "PKCS12", alias);
    }

    private String randomPassword() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static String safe(String s) {
        Objects.requireNonNull(s, "name");
        String r = s.replaceAll("[^A-Za-z0-9._-]", "_");
        if (r.isEmpty()) throw new IllegalArgumentException("empty name");
        return r;
    }
}
