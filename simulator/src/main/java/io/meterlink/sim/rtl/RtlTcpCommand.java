package io.meterlink.sim.rtl;

import io.meterlink.drivers.ert.ErtProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code meterlink-sim rtltcp}: an rtl_tcp server of virtual 900 MHz meters. */
@Command(name = "rtltcp", mixinStandardHelpOptions = true,
        description = {"An rtl_tcp server whose stream carries virtual ERT (SCM, SCM+, IDM, NetIDM) and Neptune R900 meters:",
                "on-off keyed Manchester packets at 32,768 chips/s, with noise and carrier offsets, in real time.",
                "Writes the manifest of every consumption each meter sent, kept up to date while it runs."})
public final class RtlTcpCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "1234", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any)")
    int port;
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
    String bind;
    @Option(names = "--meters", defaultValue = "6", description = "number of virtual meters (default ${DEFAULT-VALUE})")
    int meters;
    @Option(names = "--protocols", defaultValue = "scm,scm+,idm,netidm,r900,r900bcd", split = ",",
            description = "protocols, given to the meters in turn (default ${DEFAULT-VALUE})")
    List<String> protocols;
    @Option(names = "--seed", defaultValue = "1", description = "random seed: ids, consumptions, noise (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--interval", defaultValue = "0", description = "seconds between two packets of a meter (default: 30 for ERT, 15 for R900)")
    double interval;
    @Option(names = "--noise", defaultValue = "30", paramLabel = "DB", description = "signal-to-noise ratio per sample in dB (default ${DEFAULT-VALUE})")
    double snrDb;
    @Option(names = "--offset", defaultValue = "10000", paramLabel = "HZ", description = "largest carrier offset of a meter from the tuned frequency (default ${DEFAULT-VALUE})")
    double offsetHz;
    @Option(names = "--sample-rate", defaultValue = "2359296", description = "initial samples/s; a client may set another multiple of 32768 (default ${DEFAULT-VALUE})")
    long sampleRate;
    @Option(names = "--manifest", paramLabel = "FILE", description = "JSON manifest of the meters and every consumption they sent")
    Path manifest;
    @Option(names = "--wedge-after", defaultValue = "0", paramLabel = "SECONDS",
            description = "after this much stream, stop for good as a stuck dongle does (0 = never)")
    double wedgeAfter;
    @Option(names = "--wedge-constant", description = "when wedged, send samples of constant amplitude instead of nothing")
    boolean wedgeConstant;
    @Option(names = "--bad-every", defaultValue = "0", paramLabel = "N",
            description = "damage every N-th packet (fails its check; counted in the manifest as bad_packets_sent, 0 = none)")
    int badEvery;
    @Option(names = "--collide-every", defaultValue = "0", paramLabel = "N",
            description = "every N-th packet collides with a packet of an interfering meter (listed as interferers in the manifest; 0 = none)")
    int collideEvery;
    @Option(names = "--collide-db", defaultValue = "10", paramLabel = "DB",
            description = "how much weaker the interfering packet is, in dB (negative: stronger; default ${DEFAULT-VALUE})")
    double collideDb;
    @Option(names = "--duration", defaultValue = "0", description = "seconds to run, 0 = until killed (default ${DEFAULT-VALUE})")
    double duration;

    @Override
    public Integer call() throws Exception {
        List<ErtProtocol> ps = new ArrayList<>();
        try {
            for (String p : protocols) ps.add(ErtProtocol.byName(p));
            if (meters < 1 || meters > 1000) throw new IllegalArgumentException("--meters must be 1..1000");
            if (interval < 0 || (interval > 0 && interval < 0.05)) throw new IllegalArgumentException("--interval must be at least 0.05 s");
            if (collideEvery < 0) throw new IllegalArgumentException("--collide-every must be 0 or more");
            try (RtlTcpServer s = new RtlTcpServer(new RtlTcpServer.Config(InetAddress.getByName(bind), port, meters, ps, seed, interval,
                    snrDb, offsetHz, sampleRate, manifest, true, wedgeAfter, wedgeConstant, badEvery, collideEvery, collideDb))) {
                System.err.println("rtltcp: listening on " + bind + ":" + s.port() + " with " + meters + " meters");
                if (duration > 0) Thread.sleep((long) (duration * 1000));
                else Thread.currentThread().join();
            }
        } catch (IllegalArgumentException e) {
            System.err.println("meterlink-sim rtltcp: " + e.getMessage());
            return 2;
        }
        return 0;
    }
}
