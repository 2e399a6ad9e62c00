package io.meterlink.core.tls;

import javax.net.ssl.SSLSocketFactory;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The uplink's TLS files as the configuration check parsed them: the pinned CA certificates and, when
 * the check read them, the client certificate chain with its private key, each with the file it came
 * from. Handed on once, to the uplink's first TLS context, so that a start reads and parses each file
 * once; every later context reads the files again (a renewal replaces them in place). A file this
 * material did not come from is read when asked for.
 *
 * <p>Holds a private key: hand it on and drop it, never keep it in a long-lived object. {@link #toString()}
 * names the files only. Immutable; thread-safe.
 */
public final class TlsMaterial {
    private static final TlsMaterial NONE = new TlsMaterial(null, List.of(), null, List.of(), null, null);

    private final Path caFile;
    private final List<X509Certificate> cas;
    private final Path certFile;
    private final List<X509Certificate> chain;
    private final Path keyFile;
    private final PrivateKey key;

    private TlsMaterial(Path caFile, List<X509Certificate> cas, Path certFile, List<X509Certificate> chain, Path keyFile,
                        PrivateKey key) {
        this.caFile = caFile;
        this.cas = List.copyOf(cas);
        this.certFile = certFile;
        this.chain = List.copyOf(chain);
        this.keyFile = keyFile;
        this.key = key;
    }

    /** Nothing parsed: every file is read when asked for. */
    public static TlsMaterial none() {
        return NONE;
    }

    /**
     * What was parsed: the CA certificates of {@code caFile} ({@code null} when not read), and the
     * chain of {@code certFile} with the key of {@code keyFile} (all three {@code null} when not read;
     * give them only once the key is known to belong to the certificate).
     */
    public static TlsMaterial of(Path caFile, List<X509Certificate> cas, Path certFile, List<X509Certificate> chain,
                                 Path keyFile, PrivateKey key) {
        boolean pair = certFile != null && keyFile != null && key != null && chain != null && !chain.isEmpty();
        boolean trust = caFile != null && cas != null && !cas.isEmpty();
        return new TlsMaterial(trust ? caFile : null, trust ? cas : List.of(), pair ? certFile : null,
                pair ? chain : List.of(), pair ? keyFile : null, pair ? key : null);
    }

    /** The CA certificates of {@code file}: as parsed when it is the file they came from, else read now. */
    public List<X509Certificate> trustAnchors(Path file) throws TlsContexts.TlsSetupException {
        Objects.requireNonNull(file, "file");
        return file.equals(caFile) ? cas : TlsContexts.readCertificates(file);
    }

    /**
     * The uplink's socket factory ({@link TlsContexts#socketFactory(List, Optional, Optional)}) trusting
     * {@code trustAnchors}, with the client certificate and key as parsed when both files are the ones
     * they came from, else read now.
     */
    public SSLSocketFactory socketFactory(List<X509Certificate> trustAnchors, Optional<Path> cert, Optional<Path> keyOf)
            throws TlsContexts.TlsSetupException {
        if (key != null && cert.filter(certFile::equals).isPresent() && keyOf.filter(keyFile::equals).isPresent()) {
            return TlsContexts.fromParsed(trustAnchors, chain, key);
        }
        return TlsContexts.socketFactory(trustAnchors, cert, keyOf);
    }

    @Override public String toString() {
        return "TlsMaterial[ca=" + caFile + ", cert=" + certFile + ", key=" + (key == null ? "none" : keyFile) + "]";
    }
}
