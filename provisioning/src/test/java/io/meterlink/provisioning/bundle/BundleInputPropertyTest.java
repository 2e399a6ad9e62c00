package io.meterlink.provisioning.bundle;

import io.meterlink.core.config.DriverRegistry;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.identity.TestCa;
import io.meterlink.provisioning.secret.ProvisioningException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Any bytes offered as a bundle, over the network (signature required) or at the shell, end in an
 * applied bundle or a typed {@link ProvisioningException}, never another exception; and a refused one
 * leaves the active configuration as it was. Inputs: random bytes, and byte-level mutations (flips,
 * cuts, insertions) of a valid signed bundle and of a valid plain one. Seeded: a failure names its seed.
 */
class BundleInputPropertyTest {
    private static final int CASES = 1500;

    @Test
    void anyBytes_giveAnAppliedBundleOrATypedRefusal(@TempDir Path tmp) throws Exception {
        StateDir state = new StateDir(tmp.resolve("state"));
        IdentityStore ids = new IdentityStore(state, new SecureRandom());
        ids.init("gw-0001", false);
        BundleService service = new BundleService(state, ids, new DriverRegistry(List.of(new KeyedDriverFactory())), Clock.systemUTC());
        TestCa ca = TestCa.create("Utility CA");
        SigningKeys utility = new SigningKeys();
        new SigningKeyPin(state).pin(utility.pair.getPublic());
        service.apply("v1", utility.sign(Bundles.bundle(1, ca)));
        byte[] signed = utility.sign(Bundles.bundle(2, ca));
        byte[] plain = Bundles.bundle(2, ca).getBytes(StandardCharsets.UTF_8);

        long seed = new SecureRandom().nextLong();
        Random r = new Random(seed);
        for (int i = 0; i < CASES; i++) {
            byte[] input = switch (i % 3) {
                case 0 -> randomBytes(r);
                case 1 -> mutate(signed, r);
                default -> mutate(plain, r);
            };
            boolean shell = r.nextBoolean();
            String before = Files.readString(state.configFile());
            long installed = service.installedVersion().orElseThrow();
            try {
                service.apply("case-" + i, input, shell);
            } catch (ProvisioningException e) {
                assertEquals(before, Files.readString(state.configFile()), "seed " + seed + " case " + i + ": refused, yet changed");
                assertEquals(installed, service.installedVersion().orElseThrow(), "seed " + seed + " case " + i);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("seed " + seed + " case " + i + ": " + e + " for " + Arrays.toString(Arrays.copyOf(input, 64)), e);
            }
        }
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(400)];
        r.nextBytes(b);
        if (r.nextBoolean() && b.length > 30) { // sometimes behind a plausible header
            byte[] h = (SignedBundle.MAGIC + " alg=Ed25519 key=").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(h, 0, b, 0, Math.min(h.length, b.length));
        }
        return b;
    }

    private static byte[] mutate(byte[] valid, Random r) {
        byte[] b = valid.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, Math.max(1, at));
                case 2 -> b[at] = (byte) "\n:'\"{}[]&*!|>-#%@\\ ".charAt(r.nextInt(19));
                default -> {
                    byte[] grown = new byte[b.length + 1];
                    System.arraycopy(b, 0, grown, 0, at);
                    grown[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, grown, at + 1, b.length - at);
                    b = grown;
                }
            }
        }
        return b;
    }
}
