package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeGuard;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The master side of the wired M-Bus link layer (EN 13757-2 §5): SND_NKE, REQ_UD2 with the FCB
 * toggle, retries, multi-telegram readout. One line, one thread: not thread-safe.
 */
public final class MbusMaster {
    private static final Logger LOG = LoggerFactory.getLogger(MbusMaster.class);
    /** SND_NKE: C = 40 (EN 13757-2 §5.3). */
    public static final int C_SND_NKE = 0x40;
    /** REQ_UD2 with FCV set: 5B (FCB 0) / 7B (FCB 1) (EN 13757-2 §5.3). */
    public static final int C_REQ_UD2 = 0x5B;
    public static final int FCB = 0x20;
    /** SND_UD: C = 53 (EN 13757-2 §5.3). */
    public static final int C_SND_UD = 0x53;
    /** Network layer address: the slave selected by secondary address answers here (EN 13757-2 §5.6). */
    public static final int ADDRESS_SELECTED = 253;
    /** CI of the selection telegram (EN 13757-3 §11, Table 30). */
    public static final int CI_SELECT = 0x52;
    /** Upper bound on telegrams of one multi-telegram readout, against a slave that never ends. */
    static final int MAX_TELEGRAMS = 16;

    private final Transport transport;
    private final Telegrams decoder;
    private final DecodeGuard guard;
    private final int timeoutMillis;
    private final int retries;
    private final Consumer<DecodeException> badInput;
    private final MbusFramer framer = new MbusFramer();
    private final byte[] buf = new byte[512];

    /** How a slave's long frame becomes a telegram: {@code new MbusDecoder()::decode}. */
    @FunctionalInterface
    interface Telegrams {
        MbusTelegram decode(MbusFrame.Long frame) throws DecodeException;
    }

    /**
     * @param decoder       {@code new MbusDecoder()::decode}
     * @param timeoutMillis wait for the first byte of an answer (and between bytes)
     * @param retries       repetitions after a missing or bad answer (EN 13757-2 §5.4 allows up to 2)
     * @param badInput      told about every refused frame or skipped noise
     * @param guard         every telegram is decoded through it: a decoder fault is a refused telegram ({@code other}), reported to {@code badInput}
     */
    public MbusMaster(Transport transport, Telegrams decoder, int timeoutMillis, int retries, Consumer<DecodeException> badInput, DecodeGuard guard) {
        this.guard = guard;
        this.transport = transport;
        this.decoder = decoder;
        this.timeoutMillis = timeoutMillis;
        this.retries = retries;
        this.badInput = badInput;
    }

    /** Resets the slave's link layer (SND_NKE, answered by E5). Returns false when it never acknowledged. */
    public boolean sndNke(int address) throws IOException, InterruptedException {
        MbusFrame request = new MbusFrame.Short(C_SND_NKE, address);
        for (int attempt = 0; attempt <= retries; attempt++) {
            send(request);
            MbusFrame answer;
            while ((answer = await()) != null) {
                if (answer instanceof MbusFrame.Ack) return true;
            }
        }
        return false;
    }

    /**
     * Reads all telegrams of one slave at a primary address: SND_NKE, then REQ_UD2 (FCB 1 first, toggled
     * for each further telegram while the slave signals more records with DIF 1F). A repetition keeps
     * the FCB so that the slave repeats its last answer (EN 13757-2 §5.5).
     *
     * @return the decoded telegrams; empty when the slave did not answer
     */
    public List<MbusTelegram> readout(int address) throws IOException, InterruptedException {
        checkAddress(address);
        if (!sndNke(address)) return new ArrayList<>();
        return readoutAt(address);
    }

    /**
     * Selects a slave by secondary address (SND_UD with CI 52 to address 253, answered by E5) and
     * reads all its telegrams at address 253 (EN 13757-3 §11). A telegram whose header does not fit
     * the mask (a wildcard that matched another meter) is reported and ends the readout.
     *
     * @return the decoded telegrams; empty when no slave acknowledged the selection
     */
    public List<MbusTelegram> readout(SecondaryAddress secondary) throws IOException, InterruptedException {
        if (!select(secondary)) return new ArrayList<>();
        List<MbusTelegram> telegrams = readoutAt(ADDRESS_SELECTED);
        for (MbusTelegram t : telegrams) {
            if (!secondary.matches(t.header())) {
                badInput.accept(new DecodeException(DecodeException.Kind.OTHER,
                        "answer from " + t.header().id() + " does not fit " + secondary, secondary.toString(), null));
                return new ArrayList<>();
            }
        }
        return telegrams;
    }

    /** Sends the selection telegram; true when a slave acknowledged with E5. */
    public boolean select(SecondaryAddress secondary) throws IOException, InterruptedException {
        MbusFrame request = new MbusFrame.Long(C_SND_UD, ADDRESS_SELECTED, CI_SELECT, secondary.toBytes());
        for (int attempt = 0; attempt <= retries; attempt++) {
            send(request);
            MbusFrame answer;
            while ((answer = await()) != null) {
                if (answer instanceof MbusFrame.Ack) return true;
            }
        }
        return false;
    }

    private List<MbusTelegram> readoutAt(int address) throws IOException, InterruptedException {
        List<MbusTelegram> telegrams = new ArrayList<>();
        boolean fcb = true;
        for (int i = 0; i < MAX_TELEGRAMS; i++) {
            MbusTelegram t = requestUserData(address, fcb);
            if (t == null) {
                if (!telegrams.isEmpty()) LOG.warn("primary {}: telegram {} of a multi-telegram readout missing", address, i + 1);
                return telegrams;
            }
            telegrams.add(t);
            if (!t.moreRecordsFollow()) return telegrams;
            fcb = !fcb;
        }
        LOG.warn("primary {}: stopped multi-telegram readout after {} telegrams", address, MAX_TELEGRAMS);
        return telegrams;
    }

    private MbusTelegram requestUserData(int address, boolean fcb) throws IOException, InterruptedException {
        MbusFrame request = new MbusFrame.Short(C_REQ_UD2 | (fcb ? FCB : 0), address);
        for (int attempt = 0; attempt <= retries; attempt++) {
            send(request);
            MbusFrame answer;
            while ((answer = await()) != null) {
                if (!(answer instanceof MbusFrame.Long l)) continue; // an E5 or short frame is not an answer to REQ_UD2
                if (address != ADDRESS_SELECTED && l.address() != address) { // at 253 the slave answers with its own primary address
                    badInput.accept(new DecodeException(DecodeException.Kind.SYNTAX,
                            "answer from primary " + l.address() + " while polling " + address, "primary " + l.address(), null));
                    continue;
                }
                try {
                    MbusTelegram t = guard.decode(() -> decoder.decode(l));
                    // the records before a broken one stand; the broken rest is counted, never guessed
                    if (t.undecoded() != null) badInput.accept(t.undecoded().toException("primary " + l.address()));
                    return t;
                } catch (DecodeException e) {
                    badInput.accept(e);
                    break; // repeat the request: the slave repeats the same telegram
                }
            }
        }
        return null;
    }

    private void send(MbusFrame request) throws IOException {
        transport.drainInput();
        framer.reset();
        transport.write(request.toBytes());
    }

    /** The next frame, or null when the line stayed quiet for the timeout. Refused input is reported. */
    private MbusFrame await() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        // a line that keeps sending noise must not hold us forever: at most a few frames' worth
        long hardStop = deadline + 4L * timeoutMillis * 1_000_000L;
        while (true) {
            if (Thread.interrupted()) throw new InterruptedException();
            try {
                MbusFrame f = framer.next();
                if (f != null) return f;
            } catch (DecodeException e) {
                badInput.accept(e);
                continue;
            }
            long now = System.nanoTime();
            long left = Math.min(deadline, hardStop) - now;
            if (left <= 0) return null;
            int n = transport.read(buf, (int) Math.max(1, left / 1_000_000L));
            if (n > 0) {
                framer.feed(buf, 0, n);
                deadline = Math.max(deadline, System.nanoTime() + timeoutMillis * 1_000_000L);
            }
        }
    }

    private static void checkAddress(int address) {
        if (address < 0 || address > 250) throw new IllegalArgumentException("primary address must be 0..250, got " + address);
    }
}
