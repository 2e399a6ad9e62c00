package io.meterlink.core.uplink.internal;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Sits between the (decrypted) socket and the MQTT client library and reads each packet's fixed
 * header (MQTT 3.1.1 §2.2, 5.0 §2.1.4: type byte + variable byte integer remaining length) before
 * the library does, so that no packet larger than {@code maxPacket} is ever handed to the library,
 * which would allocate the whole packet at once (an 80 MB command is an OutOfMemoryError in Paho's
 * receive thread at -Xmx64m).
 *
 * <p>An oversized MQTT 3.1.1 PUBLISH (when {@code cutPublish} is set) is passed on with its topic
 * and packet identifier but an empty payload (the payload bytes are read and discarded in small
 * chunks, never held), and reported to {@code onCut} first, so the gateway can answer
 * {@code too_large} and the library still acknowledges it (no redelivery). Any other oversized
 * packet (an MQTT 5 PUBLISH, whose properties we do not rewrite, or a packet of another type) ends
 * the connection with an {@link IOException}; under MQTT 5 the broker never sends one, because the
 * client announced its Maximum Packet Size at CONNECT (MQTT 5 §3.1.2.11.4).
 *
 * <p>Resumable: a read timeout of the socket at any point keeps the state (Paho reads with a
 * timeout and retries). One reader thread.
 */
final class InboundPacketGuard extends FilterInputStream {

    /** A PUBLISH whose payload was cut: {@code payloadBytes} were discarded. */
    record Cut(String topic, int packetId, long payloadBytes) {
    }

    private enum Phase { TYPE, LENGTH, PASS, TOPIC_LENGTH, TOPIC, PACKET_ID, SKIP, EMIT }

    private static final int PUBLISH = 3;

    private final int maxPacket;
    private final boolean cutPublish;
    private final Consumer<Cut> onCut;

    private Phase phase = Phase.TYPE;
    private final ByteArrayOutputStream header = new ByteArrayOutputStream(8);
    private int typeByte;
    private long remaining;
    private int lengthShift;
    private long pass;
    private int topicLength;
    private final ByteArrayOutputStream variable = new ByteArrayOutputStream(64);
    private int needed;
    private long skip;
    private byte[] emit = new byte[0];
    private int emitPos;
    private final byte[] scratch = new byte[16 * 1024];

    InboundPacketGuard(InputStream in, int maxPacket, boolean cutPublish, Consumer<Cut> onCut) {
        super(in);
        if (maxPacket < 16) throw new IllegalArgumentException("maxPacket too small");
        this.maxPacket = maxPacket;
        this.cutPublish = cutPublish;
        this.onCut = onCut;
    }

    /** The byte of {@link #read()}: Paho reads a packet's fixed header byte by byte, from one thread. */
    private final byte[] one = new byte[1];

    @Override
    public int read() throws IOException {
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (true) {
            switch (phase) {
                case EMIT -> {
                    int n = Math.min(len, emit.length - emitPos);
                    System.arraycopy(emit, emitPos, b, off, n);
                    emitPos += n;
                    if (emitPos == emit.length) phase = pass > 0 ? Phase.PASS : Phase.TYPE;
                    return n;
                }
                case PASS -> {
                    int n = in.read(b, off, (int) Math.min(len, pass));
                    if (n > 0) {
                        pass -= n;
                        if (pass == 0) phase = Phase.TYPE;
                    }
                    return n;
                }
                case TYPE -> {
                    int c = in.read();
                    if (c < 0) return -1;
                    header.reset();
                    header.write(c);
                    typeByte = c;
                    remaining = 0;
                    lengthShift = 0;
                    phase = Phase.LENGTH;
                }
                case LENGTH -> {
                    int c = in.read();
                    if (c < 0) throw new IOException("connection closed inside an MQTT fixed header");
                    header.write(c);
                    remaining |= (long) (c & 0x7F) << lengthShift;
                    lengthShift += 7;
                    if ((c & 0x80) != 0) {
                        if (lengthShift >= 28) throw new IOException("malformed MQTT remaining length");
                        continue;
                    }
                    startPacket();
                }
                case TOPIC_LENGTH, TOPIC, PACKET_ID -> {
                    int c = in.read();
                    if (c < 0) throw new IOException("connection closed inside an MQTT PUBLISH header");
                    variable.write(c);
                    if (--needed > 0) continue;
                    if (phase == Phase.TOPIC_LENGTH) {
                        byte[] v = variable.toByteArray();
                        topicLength = ((v[0] & 0xFF) << 8) | (v[1] & 0xFF);
                        phase = Phase.TOPIC;
                        needed = topicLength;
                        if (needed == 0) afterTopic();
                    } else if (phase == Phase.TOPIC) {
                        afterTopic();
                    } else {
                        startSkip();
                    }
                }
                case SKIP -> {
                    int n = in.read(scratch, 0, (int) Math.min(scratch.length, skip));
                    if (n < 0) throw new IOException("connection closed inside an oversized MQTT PUBLISH");
                    skip -= n;
                    if (skip == 0) finishCut();
                }
            }
        }
    }

    private void startPacket() throws IOException {
        int type = typeByte >>> 4;
        long total = header.size() + remaining;
        if (total <= maxPacket) {
            emit = header.toByteArray();
            emitPos = 0;
            pass = remaining;
            phase = Phase.EMIT;
            return;
        }
        if (type != PUBLISH || !cutPublish) {
            throw new IOException("inbound MQTT packet of type " + type + " with " + remaining
                    + " bytes exceeds the limit of " + maxPacket + " bytes; connection dropped");
        }
        variable.reset();
        needed = 2;
        phase = Phase.TOPIC_LENGTH;
    }

    private void afterTopic() throws IOException {
        int qos = (typeByte >>> 1) & 0x03;
        if (qos > 0) {
            phase = Phase.PACKET_ID;
            needed = 2;
        } else {
            startSkip();
        }
    }

    private void startSkip() throws IOException {
        long keep = variable.size();
        if (keep > maxPacket || keep > remaining) throw new IOException("malformed or oversized MQTT PUBLISH header; connection dropped");
        skip = remaining - keep;
        phase = Phase.SKIP;
        if (skip == 0) finishCut();
    }

    private void finishCut() {
        byte[] v = variable.toByteArray();
        String topic = new String(v, 2, topicLength, StandardCharsets.UTF_8);
        int qos = (typeByte >>> 1) & 0x03;
        int packetId = qos > 0 ? ((v[2 + topicLength] & 0xFF) << 8) | (v[3 + topicLength] & 0xFF) : 0;
        onCut.accept(new Cut(topic, packetId, remaining - v.length));
        ByteArrayOutputStream out = new ByteArrayOutputStream(v.length + 5);
        out.write(typeByte);
        writeLength(out, v.length);
        out.write(v, 0, v.length);
        emit = out.toByteArray();
        emitPos = 0;
        pass = 0;
        phase = Phase.EMIT;
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        do {
            int digit = length & 0x7F;
            length >>>= 7;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
    }

    @Override
    public int available() throws IOException {
        if (phase == Phase.EMIT) return emit.length - emitPos;
        if (phase == Phase.PASS) return (int) Math.min(pass, in.available());
        return 0;
    }

    @Override public boolean markSupported() { return false; }

    @Override public long skip(long n) throws IOException {
        long done = 0;
        while (done < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (r <= 0) break;
            done += r;
        }
        return done;
    }
}
