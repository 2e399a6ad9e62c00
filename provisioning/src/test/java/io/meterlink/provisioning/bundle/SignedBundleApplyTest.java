package io.meterlink.provisioning.bundle;

import io.meterlink.core.config.DriverRegistry;
import io.meterlink.provisioning.bundle.BundleRefusedException.Reason;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.identity.TestCa;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed bundles and the guard rails: every refusal is typed and changes nothing. */
class SignedBundleApplyTest {
    @TempDir Path tmp;
    private StateDir state;
    private BundleService service;
    private TestCa ca;
    private SigningKeys utility;
    private SigningKeyPin pin;

    @BeforeEach
    void setUp() throws Exception {
        state = new StateDir(tmp.resolve("state"));
        IdentityStore ids = new IdentityStore(state, new SecureRandom());
        ids.init("gw-0001", false);
        service = new BundleService(state, ids, new DriverRegistry(List.of(new KeyedDriverFactory())), Clock.systemUTC());
        ca = TestCa.create("Utility CA");
        utility = new SigningKeys();
        pin = new SigningKeyPin(state);
        pin.pin(utility.pair.getPublic());
        service.apply("v1", utility.sign(Bundles.bundle(1, ca)));
    }

    /** Applies over the 'MQTT' path (signature required) and checks the typed refusal and that nothing changed. */
    private void refused(Reason reason, byte[] body) throws Exception {
        String before = Files.readString(state.configFile());
        long highest = service.highestAccepted();
        BundleRefusedException e = assertThrows(BundleRefusedException.class, () -> service.apply("mqtt", body));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith(reason.code() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains(Bundles.METER_KEY_1), "no value from the bundle");
        assertEquals(before, Files.readString(state.configFile()));
        assertEquals(1, service.installedVersion().orElseThrow());
        assertEquals(highest, service.highestAccepted());
    }

    private byte[] signed(String bundle) throws Exception {
        return utility.sign(bundle);
    }

    @Test
    void signedBundle_forThisGateway_applies() throws Exception {
        ApplyResult r = service.apply("mqtt", signed(Bundles.bundle(2, ca)));
        assertEquals(2, r.version());
        assertFalse(r.uplinkChanged(), "same URL and CA");
        assertEquals(2, service.highestAccepted());
        assertTrue(service.apply("mqtt", signed(Bundles.bundle(3, ca).replace("mqtt.utility.example", "mqtt2.utility.example"))).uplinkChanged());
    }

    @Test
    void unsignedBundle_isRefusedRemotely_butTakenAtTheShell() throws Exception {
        refused(Reason.UNSIGNED, Bundles.bundle(2, ca).getBytes(StandardCharsets.UTF_8));
        assertEquals(2, service.apply("shell", Bundles.bundle(2, ca).getBytes(StandardCharsets.UTF_8), true).version());
    }

    @Test
    void otherKey_tamperedBody_andBrokenHeader_areBadSignatures() throws Exception {
        refused(Reason.BAD_SIGNATURE, new SigningKeys().sign(Bundles.bundle(2, ca)));
        byte[] tampered = signed(Bundles.bundle(2, ca));
        int at = new String(tampered, StandardCharsets.UTF_8).indexOf("mqtt.utility.example");
        tampered[at] = 'n';
        refused(Reason.BAD_SIGNATURE, tampered);
        // a valid signature from the right key over different bytes
        byte[] a = signed(Bundles.bundle(2, ca));
        byte[] b = signed(Bundles.bundle(3, ca));
        int nlA = indexOf(a, (byte) '\n');
        int nlB = indexOf(b, (byte) '\n');
        byte[] spliced = new byte[nlA + 1 + b.length - nlB - 1];
        System.arraycopy(a, 0, spliced, 0, nlA + 1);
        System.arraycopy(b, nlB + 1, spliced, nlA + 1, b.length - nlB - 1);
        refused(Reason.BAD_SIGNATURE, spliced);
        refused(Reason.BAD_ENVELOPE, (SignedBundle.MAGIC + " alg=RSA key=00 sig=AA\n" + Bundles.bundle(2, ca)).getBytes(StandardCharsets.UTF_8));
        refused(Reason.BAD_ENVELOPE, (SignedBundle.MAGIC + " " + "x".repeat(600)).getBytes(StandardCharsets.UTF_8));
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) if (b[i] == v) return i;
        return -1;
    }

    @Test
    void otherGateway_orNoGatewayId_isWrongGateway() throws Exception {
        refused(Reason.WRONG_GATEWAY, signed(Bundles.bundle(2, ca).replace("gateway_id: gw-0001", "gateway_id: gw-0002")));
        refused(Reason.WRONG_GATEWAY, signed(Bundles.bundle(2, ca).replace("gateway_id: gw-0001\n", "")));
    }

    @Test
    void replayedOrOld_andHugeJumps_areRefused() throws Exception {
        refused(Reason.REPLAYED, signed(Bundles.bundle(1, ca)));
        refused(Reason.VERSION_JUMP, signed(Bundles.bundle(1 + BundleService.MAX_VERSION_STEP + 1, ca)));
        refused(Reason.VERSION_JUMP, signed(Bundles.bundle(Long.MAX_VALUE, ca)));
        assertEquals(1 + BundleService.MAX_VERSION_STEP, service.apply("mqtt", signed(Bundles.bundle(1 + BundleService.MAX_VERSION_STEP, ca))).version());
    }

    @Test
    void plaintextInsecureAndUrlCredentials_areForbiddenEvenSigned() throws Exception {
        refused(Reason.FORBIDDEN_SETTING, signed(Bundles.bundle(2, ca).replace("ssl://mqtt.utility.example:8883", "tcp://mqtt.utility.example:1883")));
        refused(Reason.FORBIDDEN_SETTING, signed(Bundles.bundle(2, ca, "allow_insecure: false")));
        refused(Reason.FORBIDDEN_SETTING, signed(Bundles.bundle(2, ca).replace("ssl://mqtt.utility.example", "ssl://gw:pw@mqtt.utility.example")));
        refused(Reason.FORBIDDEN_SETTING, signed(Bundles.bundle(2, ca).replace("name: water", "name: water\n    url: coap://u:p@meter.local")));
        // the shell is held to the same rails
        assertThrows(BundleRefusedException.class, () -> service.apply("shell",
                Bundles.bundle(2, ca, "allow_insecure: true").getBytes(StandardCharsets.UTF_8), true));
    }

    @Test
    void bufferPaths_outsideTheStateDirOrIntoIdentityOrTls_areEscapes() throws Exception {
        for (String path : List.of(state.privateKeyFile().toString(), state.certificateFile().toString(),
                state.root() + "/data/../identity/gateway.key", "/etc/passwd", "buffer.db", state.root().toString(),
                state.bundlesDir().resolve("v1/buffer.db").toString(), state.configLink().resolve("buffer.db").toString())) {
            refused(Reason.PATH_ESCAPE, signed(Bundles.bundle(2, ca) + "buffer:\n  path: '" + path + "'\n"));
        }
        Path link = Files.createSymbolicLink(state.root().resolve("data"), state.identityDir());
        refused(Reason.PATH_ESCAPE, signed(Bundles.bundle(2, ca) + "buffer:\n  path: " + link.resolve("gateway.key") + "\n"));
        Files.delete(link);
        Files.createDirectories(state.root().resolve("data"));
        assertEquals(2, service.apply("mqtt", signed(Bundles.bundle(2, ca) + "buffer:\n  path: " + state.root().resolve("data/buffer.db") + "\n")).version());
    }

    @Test
    void noPinnedKey_refusesEverySignedBundle() throws Exception {
        Files.delete(pin.file());
        refused(Reason.NO_SIGNING_KEY, signed(Bundles.bundle(2, ca)));
    }

    @Test
    void signingKey_rotatesOnlyThroughABundleSignedWithTheCurrentKey() throws Exception {
        SigningKeys next = new SigningKeys();
        String rotation = Bundles.bundle(2, ca) + "signing_key: |\n" + next.publicPem().indent(2);
        refused(Reason.BAD_SIGNATURE, next.sign(rotation)); // the new key cannot introduce itself
        service.apply("mqtt", signed(rotation));
        assertEquals(next.pair.getPublic(), pin.load().orElseThrow());
        BundleRefusedException old = assertThrows(BundleRefusedException.class, () -> service.apply("mqtt", signed(Bundles.bundle(3, ca))));
        assertEquals(Reason.BAD_SIGNATURE, old.reason(), "the old key is retired");
        assertEquals(3, service.apply("mqtt", next.sign(Bundles.bundle(3, ca))).version());
    }

    @Test
    void envelope_signsTheExactBytes() throws Exception {
        byte[] body = Bundles.bundle(2, ca).getBytes(StandardCharsets.UTF_8);
        SignedBundle sb = SignedBundle.parse(SignedBundle.sign(body, utility.pair.getPrivate(), utility.pair.getPublic()));
        assertEquals(SignedBundle.keyId(utility.pair.getPublic()), sb.keyId());
        assertTrue(Arrays.equals(body, sb.verify(utility.pair.getPublic())));
    }
}
