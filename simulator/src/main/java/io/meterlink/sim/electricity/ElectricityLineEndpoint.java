package io.meterlink.sim.electricity;

import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Serves virtual electricity meters on the meter end of a line (a socat pty end opened through
 * jSerialComm, or an accepted TCP connection): P1 and SML meters push a frame each interval, optionally
 * split into two writes 50 ms apart; IEC 62056-21 meters answer sign-ons in their mode (A: readout at
 * once at the same speed; B: readout at once at the identification's speed; C and E: readout after the
 * acknowledgement, at its speed; E after {@code ACK 2 Z 2}: an HDLC/DLMS session at 8N1), waiting t_r (200 ms) before each answer and following the speed on a
 * serial line; mode D meters are pushing meters ({@link #push}). Its own thread.
 */
public final class ElectricityLineEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElectricityLineEndpoint.class);
    private static final int REACTION_MS = 200;

    private final Transport line;
    private final Thread thread;
    private volatile boolean running = true;

    private ElectricityLineEndpoint(Transport line, Runnable body, String name) throws IOException {
        this.line = line;
        line.open();
        thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Pushing meters (P1, SML) on one line, each sending every {@code interval}; {@code split} sends each frame in two parts. */
    public static ElectricityLineEndpoint push(Transport line, List<? extends PushMeter> meters, Duration interval, boolean split, Clock clock) throws IOException {
        ElectricityLineEndpoint[] self = new ElectricityLineEndpoint[1];
        Runnable body = () -> {
            try {
                while (self[0] == null) Thread.sleep(1);
                while (self[0].running) {
                    for (PushMeter m : meters) {
                        byte[] t = m.next(clock.instant());
                        if (split) {
                            int half = t.length / 2;
                            line.write(Arrays.copyOf(t, half));
                            Thread.sleep(50);
                            line.write(Arrays.copyOfRange(t, half, t.length));
                        } else {
                            line.write(t);
                        }
                    }
                    Thread.sleep(interval.toMillis());
                }
            } catch (IOException e) {
                if (self[0].running) LOG.warn("virtual pushing meters on {} stopped: {}", line.describe(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        self[0] = new ElectricityLineEndpoint(line, body, "push-meters-" + line.describe());
        return self[0];
    }

    /** IEC 62056-21 meters on one line (a bus of optical heads or an RS-485 line), answering by address. */
    public static ElectricityLineEndpoint iec(Transport line, List<VirtualIecMeter> meters, boolean serial, Clock clock) throws IOException {
        return iec(line, meters, serial, false, clock);
    }

    /**
     * As {@link #iec(Transport, List, boolean, Clock)}; {@code paced}: the line runs at its baud rate as a
     * real one does (a pseudo-terminal does not): a request counts as received when its last character
     * would have arrived (10 bits per character at 300 baud after its first one), and every answer is
     * written at 10 bits per character of the line's current speed, so that a poll cycle takes at least
     * what the standard allows.
     */
    public static ElectricityLineEndpoint iec(Transport line, List<VirtualIecMeter> meters, boolean serial, boolean paced, Clock clock) throws IOException {
        ElectricityLineEndpoint[] self = new ElectricityLineEndpoint[1];
        Runnable body = () -> {
            try {
                while (self[0] == null) Thread.sleep(1);
                serveIec(self[0], paced ? new PacedLine(line) : line, meters, serial, clock);
            } catch (IOException e) {
                if (self[0].running) LOG.warn("virtual IEC 62056-21 line {} stopped: {}", line.describe(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        self[0] = new ElectricityLineEndpoint(line, body, "iec-meters-" + line.describe());
        return self[0];
    }

    private static void serveIec(ElectricityLineEndpoint self, Transport line, List<VirtualIecMeter> meters, boolean serial, Clock clock)
            throws IOException, InterruptedException {
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        VirtualIecMeter signedOn = null;
        while (self.running) {
            if (line.read(one, 200) <= 0) continue;
            byte b = (byte) (one[0] & 0x7F);
            if (b == '\r' || b == 0) continue; // NULs: a wake-up sequence
            if (b != '\n') {
                if (msg.size() < 128) msg.write(b);
                continue;
            }
            String request = msg.toString(StandardCharsets.US_ASCII);
            msg.reset();
            if (request.startsWith("/?")) {
                signedOn = null;
                for (VirtualIecMeter m : meters) if (m.addressed(request.substring(request.lastIndexOf('/')))) signedOn = m;
                if (signedOn != null) {
                    Thread.sleep(REACTION_MS);
                    line.write(signedOn.identification());
                    VirtualIecMeter.Mode mode = signedOn.mode();
                    if (mode == VirtualIecMeter.Mode.A || mode == VirtualIecMeter.Mode.B) { // no acknowledgement: the readout follows
                        Thread.sleep(REACTION_MS);
                        if (serial && mode == VirtualIecMeter.Mode.B) line.setBaud(signedOn.readoutBaud());
                        line.write(signedOn.readout(clock.instant()));
                        if (!(line instanceof PacedLine)) Thread.sleep(100); // paced: the write returned with its last character on the line
                        if (serial && mode == VirtualIecMeter.Mode.B) line.setBaud(300);
                        signedOn = null;
                    }
                }
            } else if (signedOn != null && request.length() == 4 && request.charAt(0) == 0x06 && request.charAt(1) == '2' && request.charAt(3) == '2'
                    && signedOn.mode() == VirtualIecMeter.Mode.E) { // mode E: ACK 2 Z 2 switches to HDLC, 8N1 (IEC 62056-21 Annex E)
                int baud = 300 << Math.min(6, Math.max(0, request.charAt(2) - '0'));
                if (serial) {
                    line.setBaud(baud);
                    line.setCharacterFormat(8, false);
                }
                new DlmsMeterSession(line, signedOn, clock.instant(), signedOn.nextSessionDamage()).run();
                if (serial) {
                    line.setBaud(300);
                    line.setCharacterFormat(7, true);
                }
                signedOn = null;
            } else if (signedOn != null && request.length() == 4 && request.charAt(0) == 0x06) {
                int baud = 300 << Math.min(6, Math.max(0, request.charAt(2) - '0'));
                if (serial) line.setBaud(baud);
                Thread.sleep(REACTION_MS);
                line.write(signedOn.readout(clock.instant()));
                if (!(line instanceof PacedLine)) Thread.sleep(100);
                if (serial) line.setBaud(300);
                signedOn = null;
            }
        }
    }

    /** False once the line failed (a TCP client left) or the endpoint was closed. */
    public boolean serving() { return thread.isAlive(); }

    /** Stops after the telegram or readout in progress (never cuts one), then releases the line. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(3_000);
            thread.interrupt();
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        line.close();
    }
}
