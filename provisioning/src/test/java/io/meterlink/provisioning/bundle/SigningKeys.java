package io.meterlink.provisioning.bundle;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

/** A utility bundle-signing key pair for tests. */
final class SigningKeys {
    final KeyPair pair;

    SigningKeys() throws Exception {
        pair = SignedBundle.generate();
    }

    byte[] sign(String bundle) throws Exception {
        return SignedBundle.sign(bundle.getBytes(StandardCharsets.UTF_8), pair.getPrivate(), pair.getPublic());
    }

    String publicPem() {
        return SigningKeyPin.pem(pair.getPublic());
    }
}
