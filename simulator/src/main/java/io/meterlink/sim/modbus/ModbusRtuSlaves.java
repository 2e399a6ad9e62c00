package io.meterlink.sim.modbus;

import com.ghgande.j2mod.modbus.util.ModbusUtil;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Several virtual Modbus slaves on one RTU line (a socat pty, RS-485 multi-drop): reads each
 * request frame (8 bytes for function codes 1..4; a frame ends after 3.5 characters of silence,
 * Modbus serial line v1.02 §2.5.1.1), checks its CRC-16 (with j2mod's CRC), and lets the slave with
 * that unit id answer; other ids and broken requests get silence, as on a real bus. Faults are acted
 * out on the wire: a bad CRC, no answer, an exception, noise, another slave's id, a cut answer.
 * Runs on its own thread until closed.
 */
public final class ModbusRtuSlaves implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModbusRtuSlaves.class);

    private final Transport line;
    private final Map<Integer, VirtualModbusMeter> slaves = new TreeMap<>();
    private final long charMicros;
    private final Thread thread;
    private volatile boolean running = true;
    private final boolean lineSpeed;

    /** @param baud the line speed, for the inter-frame silence */
    public ModbusRtuSlaves(Transport line, int baud, List<VirtualModbusMeter> meters) throws IOException {
        this(line, baud, meters, false);
    }

    /**
     * @param lineSpeed answer as late as a real line at {@code baud} would deliver the answer: after the
     *                  request's and the answer's bytes (11 bits each) and the 3.5-character silence
     *                  after the request (a pty moves bytes at once; benchmarks want the wire's time)
     */
    public ModbusRtuSlaves(Transport line, int baud, List<VirtualModbusMeter> meters, boolean lineSpeed) throws IOException {
        this.line = line;
        this.lineSpeed = lineSpeed;
        for (VirtualModbusMeter m : meters) slaves.put(m.unit(), m);
        this.charMicros = 11_000_000L / baud;
        line.open();
        thread = new Thread(this::run, "modbus-rtu-slaves-" + line.describe());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        byte[] buf = new byte[256];
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        int gapMs = (int) Math.max(2, (35 * charMicros / 10 + 999) / 1000);
        while (running) {
            try {
                int n = line.read(buf, frame.size() == 0 ? 200 : gapMs);
                if (n > 0) {
                    frame.write(buf, 0, n);
                    if (frame.size() < 8) continue;
                }
                if (frame.size() == 0) continue;
                byte[] f = frame.toByteArray();
                frame.reset();
                serve(f);
            } catch (IOException e) {
                if (running) LOG.debug("modbus rtu slaves on {}: {}", line.describe(), e.getMessage());
                sleep(50);
            }
        }
    }

    private void serve(byte[] f) throws IOException {
        if (f.length != 8 || !crcOk(f)) return; // not a read request for us: a real bus stays silent
        VirtualModbusMeter m = slaves.get(f[0] & 0xFF);
        if (m == null) return;
        int fc = f[1] & 0xFF;
        VirtualModbusMeter.Answer a = m.answer(fc, (f[2] & 0xFF) << 8 | (f[3] & 0xFF), (f[4] & 0xFF) << 8 | (f[5] & 0xFF));
        send(m.unit(), a, bytes -> {
            if (lineSpeed) java.util.concurrent.locks.LockSupport.parkNanos((f.length + bytes.length + 3.5) * charMicros * 1000L > 0
                    ? (long) ((f.length + bytes.length + 3.5) * charMicros * 1000L) : 0);
            line.write(bytes);
        });
    }

    /** Writes the answer as an RTU frame (address, PDU, CRC low byte first), acting out its fault. */
    static void send(int unit, VirtualModbusMeter.Answer a, IoConsumer out) throws IOException {
        if (a.fault() == VirtualModbusMeter.Fault.TIMEOUT) return;
        if (a.fault() == VirtualModbusMeter.Fault.GARBAGE) {
            out.accept(new byte[]{(byte) unit, 0x55, (byte) 0xAA, 0x13, 0x37, 0x00, 0x7F});
            return;
        }
        int id = a.fault() == VirtualModbusMeter.Fault.WRONG_SLAVE ? (unit % 247) + 1 : unit;
        byte[] frame = rtu(id, a.pdu());
        if (a.fault() == VirtualModbusMeter.Fault.CRC) frame[frame.length - 1] ^= 0x5A;
        if (a.fault() == VirtualModbusMeter.Fault.SHORT) {
            byte[] cut = new byte[Math.max(3, frame.length / 2)];
            System.arraycopy(frame, 0, cut, 0, cut.length);
            frame = cut;
        }
        out.accept(frame);
    }

    static byte[] rtu(int unit, byte[] pdu) {
        byte[] f = new byte[pdu.length + 3];
        f[0] = (byte) unit;
        System.arraycopy(pdu, 0, f, 1, pdu.length);
        int[] crc = ModbusUtil.calculateCRC(f, 0, f.length - 2);
        f[f.length - 2] = (byte) crc[0];
        f[f.length - 1] = (byte) crc[1];
        return f;
    }

    private static boolean crcOk(byte[] f) {
        int[] crc = ModbusUtil.calculateCRC(f, 0, f.length - 2);
        return (f[f.length - 2] & 0xFF) == crc[0] && (f[f.length - 1] & 0xFF) == crc[1];
    }

    /** Writes bytes somewhere. */
    @FunctionalInterface
    interface IoConsumer {
        void accept(byte[] bytes) throws IOException;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        line.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
