package io.meterlink.provisioning.identity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM encoding (RFC 7468) of DER blobs, and reading certificates from PEM text. Stateless. */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private Pem() {
    }

    /** RFC 7468 text: header, base64 in 64-character lines, footer, trailing newline. */
    public static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** The DER content of the first block with {@code label}, or {@code null} when there is none. */
    public static byte[] decodeFirst(String text, String label) {
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(label)) {
                return Base64.getMimeDecoder().decode(m.group(2));
            }
        }
        return null;
    }

    /** Every {@code CERTIFICATE} block of {@code text}, in order. */
    public static List<X509Certificate> certificates(String text) throws CertificateException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (!m.group(1).equals("CERTIFICATE")) continue;
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new CertificateException("a CERTIFICATE block is not valid base64");
            }
            out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        return out;
    }

    public static String encodeCertificates(List<X509Certificate> certs) throws CertificateException {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) sb.append(encode("CERTIFICATE", c.getEncoded()));
        return sb.toString();
    }
}
