package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.obis.ObisLineDriver;
import io.meterlink.drivers.transport.CheckedTransport;
import io.meterlink.drivers.transport.DeadlineReads;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Polls IEC 62056-21 meters one after the other on one line, every poll interval (IEC 62056-21
 * §6.4): optional wake-up (NULs for 2.2 s, then 1.6 s quiet, §6.4.5), sign-on {@code /?<address>!}
 * at the initial speed, the identification message {@code /XXXZ<ident>}, then by its baud character
 * Z: mode C ({@code 0}–{@code 9}) waits t_r (200 ms), acknowledges {@code ACK 0 Z 0} (data readout)
 * and switches speed; mode B ({@code A}–{@code I}) switches without acknowledgement; mode A (any
 * other) stays; with {@code mode: e} a meter offering {@code \2} (mode E) gets {@code ACK 2 Z 2} and an
 * HDLC/DLMS session ({@link ModeESession}) instead. The data message (STX … ! CR LF ETX BCC) is framed and checked by
 * {@link Iec62056FrameDecoder}; a BCC error or silence is retried, then counted (bad input by kind,
 * or the meter as silent). On TCP no speed is switched (the converter keeps its rate).
 *
 * <p>Besides the response timeout between bytes, each message has an overall deadline, so a meter whose bytes
 * trickle in just inside that timeout (or that never ends its message) cannot hold the line: the identification
 * {@link #signOnBudgetNanos}, the data message and each programming mode answer {@link #readoutBudgetNanos}: the
 * response timeout plus twice the character time of the most bytes the message may take (for the readout, at least
 * {@code readout_deadline}). Past it the attempt ends
 * in a {@link ReadoutTimeout}, counted as bad input. The heartbeat beats as each message begins and on every read that
 * brings bytes.
 *
 * <p>A transport's unchecked failure (a serial port that vanishes, a socket reset surfacing as a {@link RuntimeException}),
 * in the sign-on, the readout, programming mode or a mode E session alike, is a line failure ({@link CheckedTransport}): the
 * line is closed and reopened with back-off and the poll cycle goes on; it is neither the meter's bad input nor the end of
 * the driver. Thread: its own.
 */
final class Iec62056Driver extends ObisLineDriver {
    /** Longest single wait between two heartbeats while idle between polls. */
    private static final long IDLE_SLICE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(Iec62056Driver.class);
    static final byte ACK = 0x06;
    /** t_r: the master waits at least 200 ms after a message before sending (IEC 62056-21 §6.4.4). */
    static final int REACTION_MS = 200;
    /** Timer granularity allowed below t_r before an answer counts as too early. */
    static final int TIMING_SLACK_MS = 20;
    static final byte SOH = 0x01, STX = 0x02, ETX = 0x03;
    /** Longest identification line read (§6.3.14 allows at most 16 identification characters; a margin for garbage). */
    static final int MAX_IDENTIFICATION = 128;
    /** The most bytes a sign-on reads: noise, our request echoed by a half-duplex head, the identification. */
    static final int SIGN_ON_BYTES = 3 * MAX_IDENTIFICATION;
    /** When the first byte of the last identification arrived (on {@link #nanoClock}). */
    private long firstByteAt;

    private final Iec62056DriverConfig config;
    private final FrameDecoder decoder = new Iec62056FrameDecoder();
    private final LongSupplier nanoClock;
    private final DeadlineReads reads;

    /** @param nanoClock monotonic time in nanoseconds for t_r and the messages' deadlines ({@code System::nanoTime}) */
    Iec62056Driver(Iec62056DriverConfig config, ObisReadings mapper, Transport transport, DriverContext context, LongSupplier nanoClock) {
        super("iec62056", mapper, transport, context);
        this.config = config;
        this.nanoClock = nanoClock;
        this.reads = new DeadlineReads(this.transport, () -> heartbeat().beat(), nanoClock);
    }

    /** The identification's deadline: the response timeout, then twice {@link #SIGN_ON_BYTES} at the sign-on speed. */
    static long signOnBudgetNanos(Iec62056DriverConfig config) {
        return DeadlineReads.budgetNanos(config.responseTimeout(), SIGN_ON_BYTES, config.initialBaud());
    }

    /**
     * A data message's (or a programming mode answer's) deadline: the response timeout, then twice the longest readout
     * ({@link ReadoutFramer#MAX_TELEGRAM}) at {@code baud}; at least {@code readout_deadline}, for meters that pause
     * between data sets on a fast line.
     */
    static long readoutBudgetNanos(Iec62056DriverConfig config, int baud) {
        return Math.max(config.readoutDeadline().toNanos(), DeadlineReads.budgetNanos(config.responseTimeout(), ReadoutFramer.MAX_TELEGRAM, baud));
    }

    /** A message begins: a beat, and its deadline. */
    private void begin(long budgetNanos) {
        heartbeat().beat();
        reads.begin(budgetNanos);
    }

    @Override
    protected void serve() throws IOException, InterruptedException {
        while (running()) {
            long cycleStart = System.nanoTime();
            for (String address : config.addresses()) {
                if (!running()) return;
                heartbeat().beat(); // and in each read of the sign-on and the readout
                poll(address);
            }
            long waitNs;
            while ((waitNs = config.pollInterval().toNanos() - (System.nanoTime() - cycleStart)) > 0) {
                heartbeat().beat(); // idle between polls: waits in slices
                TimeUnit.NANOSECONDS.sleep(Math.min(waitNs, IDLE_SLICE_NS));
            }
        }
    }

    /** One meter: up to 1 + retries sign-ons until a readout decodes. */
    void poll(String address) throws IOException, InterruptedException {
        boolean answered = false;
        for (int attempt = 0; attempt <= config.retries(); attempt++) {
            Outcome o = readout(address);
            if (o.frame != null) {
                deliver(o.frame);
                return;
            }
            answered |= o.answered;
            if (o.error != null) badInput(o.error);
        }
        if (!answered) context.health().meterSilent(source(), address.isEmpty() ? "(no address)" : address);
    }

    private record Outcome(DecodedFrame frame, DecodeException error, boolean answered) { }

    /** One sign-on and what follows it; a message past its deadline ends it as the meter's bad input. */
    private Outcome readout(String address) throws IOException, InterruptedException {
        try {
            return signOnAndRead(address);
        } catch (ReadoutTimeout t) {
            LOG.debug("{}: meter {} on {}: {}", source(), address, transport.describe(), t.getMessage());
            return new Outcome(null, t, true);
        }
    }

    private Outcome signOnAndRead(String address) throws IOException, InterruptedException, ReadoutTimeout {
        if (!config.tcp()) {
            transport.setBaud(config.initialBaud());
            transport.setCharacterFormat(7, true); // back from a mode E session's 8N1
        }
        transport.drainInput();
        if (config.wakeUp()) wakeUp();
        send(("/?" + address + "!\r\n").getBytes(StandardCharsets.US_ASCII), config.initialBaud());
        long sent = nanoClock.getAsLong();
        byte[] ident = identification();
        if (ident == null) return new Outcome(null, null, false);
        long reactionMs = (firstByteAt - sent) / 1_000_000;
        if (config.strictTiming() && reactionMs < REACTION_MS - TIMING_SLACK_MS) { // IEC 62056-21 §6.3.15: t_r 200–1500 ms
            return new Outcome(null, new DecodeException(DecodeException.Kind.OTHER,
                    "timing: the identification began " + reactionMs + " ms after the request, before t_r = " + REACTION_MS + " ms"), true);
        }
        char z = (char) ident[4];
        boolean programming = config.password() != null && config.modeE() == null; // with mode E the password is the DLMS one: never sent in an IEC P1 command
        int speed = config.initialBaud();
        boolean enhanced = ident.length > 6 && ident[5] == '\\' && ident[6] == '2'; // W = 2: the meter speaks HDLC (IEC 62056-21 §6.3.14)
        if (config.modeE() != null && enhanced && z >= '0' && z <= '9') return modeE(ident, z);
        if (z >= '0' && z <= '9') { // mode C, or mode E (\2 in the identification) read by its data readout: acknowledge with the speed we take
            speed = modeCBaud(acknowledge(z, '0', programming ? '1' : '0'));
        } else if (programming) {
            return new Outcome(null, new DecodeException(DecodeException.Kind.UNSUPPORTED,
                    "the meter offers mode " + (z >= 'A' && z <= 'I' ? "B" : "A") + ", which has no programming mode for a password"), true);
        } else if (z >= 'A' && z <= 'I') { // mode B: the meter switches on its own
            speed = 300 << (z - 'A' + 1);
        }
        if (!config.tcp() && speed != config.initialBaud()) transport.setBaud(speed);
        int lineBaud = config.tcp() ? Math.min(config.initialBaud(), speed) : speed; // on TCP the slower of both: the longer deadline
        return programming ? programmingMode(ident, speed, lineBaud) : dataMessage(ident, lineBaud);
    }

    /**
     * The acknowledgement/option select message {@code ACK V Z Y CR LF} (IEC 62056-21) after t_r, at the sign-on
     * speed: protocol control {@code V} ({@code 0} normal, {@code 2} HDLC of mode E), the speed we take, the meter's
     * proposal {@code z} capped at {@code max_baud}, and mode control {@code Y} ({@code 0} data readout,
     * {@code 1} programming, {@code 2} binary HDLC). Returns the baud character sent.
     */
    private char acknowledge(char z, char protocol, char option) throws IOException, InterruptedException {
        char chosen = modeCChar(Math.min(modeCBaud(z), config.maxBaud()));
        TimeUnit.MILLISECONDS.sleep(REACTION_MS);
        send(new byte[]{ACK, (byte) protocol, (byte) chosen, (byte) option, '\r', '\n'}, config.initialBaud());
        return chosen;
    }

    /**
     * Mode E (IEC 62056-21 Annex E): {@code ACK 2 Z' 2} switches to the HDLC protocol at speed Z'; on a serial
     * line the character format becomes 8N1. The session ({@link ModeESession}) reads the configured COSEM
     * objects; a refused object is counted and the others read; a failed session gives its error. The decoder-fault
     * guard around the session sees link failures only as {@link IOException}s (the line is a {@link CheckedTransport}),
     * so they reach the line's reopen and back-off, not the meter's bad-input count.
     */
    private Outcome modeE(byte[] ident, char z) throws IOException, InterruptedException {
        char chosen = acknowledge(z, '2', '2');
        if (!config.tcp()) {
            transport.setBaud(modeCBaud(chosen));
            transport.setCharacterFormat(8, false);
        }
        TimeUnit.MILLISECONDS.sleep(REACTION_MS); // the meter switches too
        Iec62056DriverConfig.ModeE e = config.modeE();
        io.meterlink.drivers.iec62056.hdlc.HdlcClient link = new io.meterlink.drivers.iec62056.hdlc.HdlcClient(transport, e.server(), e.client(),
                config.responseTimeout(), e.maxInfo(), ModeESession.MAX_MESSAGE, () -> heartbeat().beat(),
                config.tcp() ? Math.min(config.initialBaud(), modeCBaud(chosen)) : modeCBaud(chosen)); // on TCP the slower of both: the longer frame deadline
        link.discard();
        char[] secret = config.password() != null ? config.password().reveal() : null;
        try {
            DecodedFrame frame = guard.decode(() -> {
                Readout line = Readout.parse(ident); // parsed as a readout's: the manufacturer, Z, then "\2" and the identification
                return new ModeESession(link, e.objects(), this::badInput).read(line.manufacturer(), line.identification().substring(2), secret);
            });
            return new Outcome(frame, null, true);
        } catch (DecodeException x) {
            LOG.debug("mode E session on {} failed: {}", transport.describe(), x.getMessage());
            return new Outcome(null, x, true);
        } finally {
            if (secret != null) java.util.Arrays.fill(secret, '\0');
        }
    }

    /**
     * Programming mode (IEC 62056-21 §6.3.3–6.3.10): the meter's password prompt {@code SOH P0 STX (seed) ETX BCC},
     * our {@code SOH P1 STX (password) ETX BCC}, its ACK (a NAK or a break refuses the password), one read command
     * {@code SOH R1 STX address() ETX BCC} per configured register answered by {@code STX address(value*unit) ETX BCC},
     * then the break {@code SOH B0 ETX BCC}. The answers become one readout, decoded as a data message. The password is
     * written to the line only and never logged.
     */
    private Outcome programmingMode(byte[] ident, int speed, int lineBaud) throws IOException, InterruptedException, ReadoutTimeout {
        byte[] prompt = message(lineBaud);
        if (prompt == null) return new Outcome(null, new DecodeException(DecodeException.Kind.TRUNCATED, "no password prompt (P0) after the programming mode acknowledgement"), true);
        if (prompt.length < 3 || prompt[0] != SOH || prompt[1] != 'P' || prompt[2] != '0') {
            return new Outcome(null, new DecodeException(DecodeException.Kind.SYNTAX, "expected the password prompt P0"), true);
        }
        if (!bccOk(prompt)) return new Outcome(null, new DecodeException(DecodeException.Kind.CHECKSUM, "BCC of the password prompt does not match"), true);
        TimeUnit.MILLISECONDS.sleep(REACTION_MS);
        char[] secret = config.password().reveal();
        byte[] pw = new byte[secret.length + 2]; // (password)
        pw[0] = '(';
        for (int i = 0; i < secret.length; i++) pw[i + 1] = (byte) secret[i];
        pw[pw.length - 1] = ')';
        java.util.Arrays.fill(secret, '\0');
        byte[] p1 = command('P', '1', pw);
        java.util.Arrays.fill(pw, (byte) 0);
        try {
            send(p1, speed);
        } finally {
            java.util.Arrays.fill(p1, (byte) 0);
        }
        byte[] answer = new byte[1];
        heartbeat().beat();
        if (transport.read(answer, config.responseTimeout()) <= 0 || answer[0] != ACK) {
            sendBreak(speed);
            return new Outcome(null, new DecodeException(DecodeException.Kind.AUTHENTICATION, "the meter refused the password"), true);
        }
        StringBuilder data = new StringBuilder();
        DecodeException failed = null;
        for (String register : config.registers()) {
            TimeUnit.MILLISECONDS.sleep(REACTION_MS);
            send(command('R', '1', (register + "()").getBytes(StandardCharsets.US_ASCII)), speed);
            DecodeException e;
            try {
                e = answer(register, message(lineBaud), data);
            } catch (ReadoutTimeout t) {
                e = t; // the break still ends the session
            }
            if (e == null) continue;
            if (e.kind() != DecodeException.Kind.UNSUPPORTED) {
                failed = e;
                break;
            }
            badInput(e); // the meter lacks this register: counted, the others still read
        }
        sendBreak(speed);
        if (failed != null) return new Outcome(null, failed, true);
        byte[] readout = (new String(ident, StandardCharsets.ISO_8859_1) + data + "!\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try {
            return new Outcome(guard.decode(() -> Iec62056FrameDecoder.decode(readout)), null, true);
        } catch (DecodeException e) {
            return new Outcome(null, e, true);
        }
    }

    /** The answer {@code m} to the read command for {@code register} added to {@code data}, or why not ({@code null} {@code m}: silence). */
    private static DecodeException answer(String register, byte[] m, StringBuilder data) {
        if (m == null) return new DecodeException(DecodeException.Kind.TRUNCATED, "no answer to the read command for " + register);
        if (m[0] != STX || !bccOk(m)) return new DecodeException(DecodeException.Kind.CHECKSUM, "BCC of the answer for " + register + " does not match");
        String body = new String(m, 1, m.length - 3, StandardCharsets.ISO_8859_1);
        if (body.startsWith("(ER") || body.startsWith("(er")) {
            return new DecodeException(DecodeException.Kind.UNSUPPORTED, "the meter has no register " + register + ": " + Readout.printable(body));
        }
        data.append(body.strip()).append("\r\n");
        return null;
    }

    private void sendBreak(int speed) throws IOException, InterruptedException {
        TimeUnit.MILLISECONDS.sleep(REACTION_MS);
        send(command('B', '0', null), speed);
    }

    /** {@code SOH C D STX payload ETX BCC}, or {@code SOH C D ETX BCC} without a payload (IEC 62056-21 §6.3.4). */
    static byte[] command(char c, char d, byte[] payload) {
        int n = payload == null ? 0 : 1 + payload.length;
        byte[] o = new byte[3 + n + 2]; // one array, no growing buffer: a payload may be the password, wiped by the caller
        o[0] = SOH;
        o[1] = (byte) c;
        o[2] = (byte) d;
        int at = 3;
        if (payload != null) {
            o[at++] = STX;
            System.arraycopy(payload, 0, o, at, payload.length);
            at += payload.length;
        }
        o[at++] = ETX;
        int bcc = 0;
        for (int i = 1; i < at; i++) bcc ^= o[i];
        o[at] = (byte) (bcc & 0x7F);
        return o;
    }

    /** BCC (§6.3.14): XOR from after the first SOH or STX up to and including ETX, the byte after ETX. Parity bits are not compared. */
    static boolean bccOk(byte[] m) {
        int bcc = 0;
        for (int i = 1; i < m.length - 1; i++) bcc ^= m[i];
        return (bcc & 0x7F) == (m[m.length - 1] & 0x7F);
    }

    /** A message from SOH or STX to ETX and its BCC, or {@code null} on silence; a {@link ReadoutTimeout} past its deadline at {@code baud}. */
    private byte[] message(int baud) throws IOException, ReadoutTimeout {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        boolean etx = false;
        begin(readoutBudgetNanos(config, baud));
        while (m.size() < ReadoutFramer.MAX_TELEGRAM) {
            if (read(one, "answer") == 0) return null;
            byte b = (byte) (one[0] & 0x7F);
            if (m.size() == 0 && b != SOH && b != STX) continue; // line noise before the message
            m.write(b);
            if (etx) return m.toByteArray();
            etx = b == ETX;
        }
        return null;
    }

    /** Sends and waits until the bytes are on the line (10 bits per character at {@code baud}), so that a speed switch does not cut them. */
    private void send(byte[] bytes, int baud) throws IOException, InterruptedException {
        transport.write(bytes);
        if (!config.tcp()) TimeUnit.MILLISECONDS.sleep(bytes.length * 10_000L / baud + 5);
    }

    /** Battery meters: NUL characters for 2.1–2.3 s, then 1.5–1.7 s before the sign-on (IEC 62056-21 §6.4.5). */
    private void wakeUp() throws IOException, InterruptedException {
        heartbeat().willBlock(java.time.Duration.ofSeconds(5));
        int n = Math.max(1, config.initialBaud() * 22 / 100); // 2.2 s of characters at 10 bits each: baud × 2.2 / 10
        send(new byte[n], config.initialBaud());
        TimeUnit.MILLISECONDS.sleep(1_600);
        transport.drainInput();
    }

    /** Bytes read within the current message's deadline, 0 on silence; a {@link ReadoutTimeout} for {@code what} past it. */
    private int read(byte[] buf, String what) throws IOException, ReadoutTimeout {
        int n = reads.read(buf, config.responseTimeout());
        if (n == DeadlineReads.OVERDUE) throw new ReadoutTimeout(what, reads.budgetNanos());
        return n;
    }

    /** The identification line {@code /XXXZ…CR LF} (an echo of our request skipped), or {@code null} on silence or garbage; a {@link ReadoutTimeout} past its deadline. */
    private byte[] identification() throws IOException, ReadoutTimeout {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        begin(signOnBudgetNanos(config));
        while (line.size() < MAX_IDENTIFICATION) {
            if (read(one, "identification") == 0) return null;
            byte b = (byte) (one[0] & 0x7F);
            if (line.size() == 0 && b != '/') continue; // noise before the message
            if (line.size() == 0) firstByteAt = nanoClock.getAsLong();
            line.write(b);
            if (b == '\n') {
                byte[] l = line.toByteArray();
                if (l.length >= 7 && l[1] != '?') return l;
                line.reset(); // our own request echoed (half-duplex lines)
            }
        }
        return null;
    }

    private Outcome dataMessage(byte[] ident, int baud) throws IOException, ReadoutTimeout {
        List<DecodedFrame> frames = new ArrayList<>();
        List<DecodeException> errors = new ArrayList<>();
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override public void frame(DecodedFrame f, long offset) { frames.add(f); }

            @Override public void error(DecodeException e, long offset) { errors.add(e); }
        };
        io.meterlink.core.api.driver.DecodeGuard.Stream session = guard.stream(decoder, FrameDecoder.Options.none());
        session.feed(ident, 0, ident.length, sink);
        byte[] buf = new byte[1024];
        begin(readoutBudgetNanos(config, baud));
        while (frames.isEmpty() && errors.isEmpty()) {
            int n = read(buf, "data message");
            if (n == 0) {
                session.end(sink);
                if (frames.isEmpty() && errors.isEmpty()) errors.add(new DecodeException(DecodeException.Kind.TRUNCATED, "no data message after the identification"));
                break;
            }
            for (int i = 0; i < n; i++) buf[i] &= 0x7F; // 7E1 lines: a parity bit left in by a converter
            session.feed(buf, 0, n, sink);
        }
        if (!frames.isEmpty()) return new Outcome(frames.get(0), null, true);
        return new Outcome(null, errors.get(0), true);
    }

    /** Mode C/E baud characters {@code 0}–{@code 6}: 300 × 2^n (IEC 62056-21 §6.3.14, Table 2). */
    static int modeCBaud(char z) {
        int n = Math.min(z - '0', 6);
        return 300 << n;
    }

    static char modeCChar(int baud) {
        char c = '0';
        while (c < '6' && 300 << (c - '0' + 1) <= baud) c++;
        return c;
    }
}
