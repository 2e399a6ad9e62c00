package io.meterlink.sim.modbus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Modbus TCP server (a meter with Ethernet, or a gateway with several meters behind it by unit
 * id) on 127.0.0.1: MBAP header (transaction id, protocol 0, length, unit id; Modbus messaging on
 * TCP/IP v1.0b §3.1.3) and the slave's PDU. Faults as on the RTU line, without CRC: a CRC fault is
 * sent as noise. Each connection on its own thread; runs until closed.
 */
public final class ModbusTcpSlaves implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModbusTcpSlaves.class);

    private final ServerSocket server;
    private final Map<Integer, VirtualModbusMeter> slaves = new TreeMap<>();
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public ModbusTcpSlaves(int port, List<VirtualModbusMeter> meters) throws IOException {
        for (VirtualModbusMeter m : meters) slaves.put(m.unit(), m);
        server = new ServerSocket(port, 16, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "modbus-tcp-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    public int port() { return server.getLocalPort(); }

    private void accept() {
        while (running) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                clients.add(s);
                Thread t = new Thread(() -> serve(s), "modbus-tcp-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (running) LOG.debug("modbus tcp accept: {}", e.getMessage());
            }
        }
    }

    private void serve(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            byte[] head = new byte[7];
            while (running) {
                in.readFully(head);
                int length = (head[4] & 0xFF) << 8 | (head[5] & 0xFF);
                if (length < 2 || length > 254) return; // not Modbus: drop the connection
                byte[] pdu = new byte[length - 1];
                in.readFully(pdu);
                int unit = head[6] & 0xFF;
                VirtualModbusMeter m = slaves.get(unit);
                VirtualModbusMeter.Answer a = m == null ? new VirtualModbusMeter.Answer(new byte[]{(byte) (pdu[0] | 0x80), 0x0B}, null)
                        : pdu.length == 5 ? m.answer(pdu[0] & 0xFF, (pdu[1] & 0xFF) << 8 | (pdu[2] & 0xFF), (pdu[3] & 0xFF) << 8 | (pdu[4] & 0xFF))
                        : new VirtualModbusMeter.Answer(new byte[]{(byte) (pdu[0] | 0x80), 0x01}, null);
                if (a.fault() == VirtualModbusMeter.Fault.TIMEOUT) continue;
                byte[] body = a.fault() == VirtualModbusMeter.Fault.CRC || a.fault() == VirtualModbusMeter.Fault.GARBAGE
                        ? new byte[]{0x55, (byte) 0xAA, 0x13} : a.pdu();
                if (a.fault() == VirtualModbusMeter.Fault.SHORT) body = java.util.Arrays.copyOf(body, Math.max(2, body.length / 2));
                int id = a.fault() == VirtualModbusMeter.Fault.WRONG_SLAVE ? (unit % 247) + 1 : unit;
                byte[] frame = new byte[7 + body.length];
                System.arraycopy(head, 0, frame, 0, 4); // transaction and protocol id
                frame[4] = (byte) ((body.length + 1) >> 8);
                frame[5] = (byte) (body.length + 1);
                frame[6] = (byte) id;
                System.arraycopy(body, 0, frame, 7, body.length);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            if (running) LOG.debug("modbus tcp client: {}", e.getMessage());
        } finally {
            clients.remove(s);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : clients) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
