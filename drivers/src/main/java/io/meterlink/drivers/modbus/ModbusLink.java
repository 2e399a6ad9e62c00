package io.meterlink.drivers.modbus;

import com.ghgande.j2mod.modbus.ModbusException;
import com.ghgande.j2mod.modbus.ModbusIOException;
import com.ghgande.j2mod.modbus.ModbusSlaveException;
import com.ghgande.j2mod.modbus.io.ModbusSerialTransaction;
import com.ghgande.j2mod.modbus.io.ModbusTCPTransaction;
import com.ghgande.j2mod.modbus.msg.ModbusRequest;
import com.ghgande.j2mod.modbus.msg.ModbusResponse;
import com.ghgande.j2mod.modbus.msg.ReadCoilsRequest;
import com.ghgande.j2mod.modbus.msg.ReadCoilsResponse;
import com.ghgande.j2mod.modbus.msg.ReadInputDiscretesRequest;
import com.ghgande.j2mod.modbus.msg.ReadInputDiscretesResponse;
import com.ghgande.j2mod.modbus.msg.ReadInputRegistersRequest;
import com.ghgande.j2mod.modbus.msg.ReadInputRegistersResponse;
import com.ghgande.j2mod.modbus.msg.ReadMultipleRegistersRequest;
import com.ghgande.j2mod.modbus.msg.ReadMultipleRegistersResponse;
import com.ghgande.j2mod.modbus.net.TCPMasterConnection;
import com.ghgande.j2mod.modbus.util.BitVector;
import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Locale;

/**
 * One try of one Modbus read over a line, with j2mod doing the protocol: RTU framing (over a
 * serial line or RTU over TCP, through {@link TransportConnection}) or Modbus TCP (MBAP, j2mod's own
 * socket). Every way a try can fail ends as a typed {@link ModbusFault.Failure}, or as an
 * {@link IOException} when the line itself broke and must be reopened. Not thread-safe.
 */
abstract class ModbusLink {
    /** The line, for the driver's open/reopen loop. */
    abstract Transport transport();

    /** Reads {@code block} from slave {@code unit} once: registers 0..65535, or bits 0/1. */
    abstract int[] read(int unit, ReadBlock block) throws ModbusFault.Failure, IOException;

    static ModbusRequest request(int unit, ReadBlock b) {
        ModbusRequest r = switch (b.function()) {
            case 1 -> new ReadCoilsRequest(b.start(), b.count());
            case 2 -> new ReadInputDiscretesRequest(b.start(), b.count());
            case 3 -> new ReadMultipleRegistersRequest(b.start(), b.count());
            case 4 -> new ReadInputRegistersRequest(b.start(), b.count());
            default -> throw new IllegalArgumentException("function code " + b.function());
        };
        r.setUnitID(unit);
        return r;
    }

    /** The words of a response; a wrong slave, wrong function or too few values is a typed failure. */
    static int[] words(int unit, ReadBlock b, ModbusResponse r) throws ModbusFault.Failure {
        if (r == null) throw new ModbusFault.Failure(ModbusFault.GARBAGE, unit, "no response object");
        if (r.getUnitID() != unit) {
            throw new ModbusFault.Failure(ModbusFault.WRONG_SLAVE, unit, "answer from slave " + r.getUnitID() + " to a request for slave " + unit);
        }
        if (r.getFunctionCode() != b.function()) {
            throw new ModbusFault.Failure(ModbusFault.GARBAGE, unit, "answer with function code " + r.getFunctionCode() + " to function " + b.function());
        }
        int[] out = new int[b.count()];
        if (r instanceof ReadMultipleRegistersResponse m) {
            checkCount(unit, b, m.getWordCount());
            for (int i = 0; i < out.length; i++) out[i] = m.getRegisterValue(i);
        } else if (r instanceof ReadInputRegistersResponse m) {
            checkCount(unit, b, m.getWordCount());
            for (int i = 0; i < out.length; i++) out[i] = m.getRegisterValue(i);
        } else if (r instanceof ReadCoilsResponse m) {
            bits(unit, b, m.getCoils(), out);
        } else if (r instanceof ReadInputDiscretesResponse m) {
            bits(unit, b, m.getDiscretes(), out);
        } else {
            throw new ModbusFault.Failure(ModbusFault.GARBAGE, unit, "unexpected answer " + r.getClass().getSimpleName());
        }
        return out;
    }

    private static void bits(int unit, ReadBlock b, BitVector v, int[] out) throws ModbusFault.Failure {
        if (v == null || v.size() < b.count()) checkCount(unit, b, v == null ? 0 : v.size());
        for (int i = 0; i < out.length; i++) out[i] = v.getBit(i) ? 1 : 0;
    }

    private static void checkCount(int unit, ReadBlock b, int got) throws ModbusFault.Failure {
        if (got < b.count()) {
            throw new ModbusFault.Failure(ModbusFault.SHORT_ANSWER, unit, got + " values in the answer, " + b.count() + " asked");
        }
    }

    static ModbusFault.Failure slave(int unit, ModbusSlaveException e) {
        return new ModbusFault.Failure(ModbusFault.ofExceptionCode(e.getType()), unit, "exception response code " + e.getType());
    }

    /** RTU frames (CRC-16, 3.5-character gaps) over a serial line or a raw TCP socket to a serial server. */
    static final class Rtu extends ModbusLink {
        private final Transport transport;
        private final TransportConnection connection;
        /** One transaction for the line: j2mod keeps the end of the last exchange in it for the inter-frame gap. */
        private final ModbusSerialTransaction transaction = new ModbusSerialTransaction();

        Rtu(Transport transport, int baud, int parity, int stopBits, int timeoutMillis) throws IOException {
            this.transport = transport;
            this.connection = new TransportConnection(transport, baud, parity, stopBits);
            connection.rtu().setTimeout(timeoutMillis);
            transaction.setTransport(connection.rtu());
            transaction.setRetries(1); // one try: the master retries, so that every failed try is counted
            transaction.setCheckingValidity(false); // unit and function are checked by words(), typed
        }

        @Override Transport transport() { return transport; }

        /** j2mod's wait between two frames on this line, in microseconds (Modbus serial line v1.02 §2.5.1.1). */
        long charMicros() { return connection.charMicros(); }

        @Override
        int[] read(int unit, ReadBlock b) throws ModbusFault.Failure, IOException {
            ModbusSerialTransaction t = transaction;
            t.setRequest(request(unit, b));
            try {
                t.execute();
            } catch (ModbusSlaveException e) {
                throw slave(unit, e);
            } catch (ModbusException e) {
                IOException line = connection.takeLineFailure();
                if (line != null) throw line;
                long got = connection.receivedSinceWrite();
                quiet();
                throw new ModbusFault.Failure(classify(e, got), unit, e.getMessage());
            }
            IOException line = connection.takeLineFailure();
            if (line != null) throw line;
            return words(unit, b, t.getResponse());
        }

        /**
         * After a failed exchange: waits out the rest of a bad answer and the 3.5-character silence
         * that ends a frame (Modbus serial line v1.02 §2.5.1.1; at least 2 ms, 1.75 ms above 19200
         * baud), then drops whatever arrived, so the next request starts on a quiet line.
         */
        private void quiet() throws IOException {
            long micros = Math.max(2_000, 4 * connection.charMicros());
            try {
                Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            }
            connection.discardInput();
        }

        /** What j2mod's RTU transport reported, told apart by what reached us. */
        private static ModbusFault classify(ModbusException e, long received) {
            String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            if (received == 0) return ModbusFault.TIMEOUT;
            if (m.contains("crc")) return ModbusFault.CRC;
            if (m.contains("truncated") || m.contains("cannot read")) return ModbusFault.SHORT_ANSWER;
            return ModbusFault.GARBAGE;
        }
    }

    /** Modbus TCP (MBAP header, no CRC) through j2mod's TCP master connection. */
    static final class Tcp extends ModbusLink {
        private final MbapTransport transport;

        Tcp(String host, int port, int timeoutMillis) {
            this.transport = new MbapTransport(host, port, timeoutMillis);
        }

        @Override Transport transport() { return transport; }

        @Override
        int[] read(int unit, ReadBlock b) throws ModbusFault.Failure, IOException {
            TCPMasterConnection c = transport.connection();
            ModbusTCPTransaction t = new ModbusTCPTransaction(c);
            t.setRequest(request(unit, b));
            t.setRetries(1);
            t.setReconnecting(false);
            try {
                t.execute();
            } catch (ModbusSlaveException e) {
                throw slave(unit, e);
            } catch (ModbusIOException e) {
                String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
                if (m.contains("failed to write") || m.contains("connection failed") || m.contains("end of file") || !c.isConnected()) {
                    throw new IOException("Modbus TCP connection to " + transport.describe() + " failed: " + e.getMessage(), e);
                }
                // a late answer would be taken for the next request's: start a fresh connection
                transport.close();
                ModbusFault f = m.contains("timeout") ? ModbusFault.TIMEOUT
                        : m.contains("premature end") || m.contains("truncated") ? ModbusFault.SHORT_ANSWER : ModbusFault.GARBAGE;
                throw new ModbusFault.Failure(f, unit, e.getMessage());
            } catch (ModbusException e) {
                transport.close();
                throw new ModbusFault.Failure(ModbusFault.GARBAGE, unit, e.getMessage());
            }
            return words(unit, b, t.getResponse());
        }
    }

    /** j2mod's TCP master connection as one of our transports, so that the driver opens and reopens it like any line. */
    static final class MbapTransport implements Transport {
        private final String host;
        private final int port;
        private final int timeoutMillis;
        private volatile TCPMasterConnection connection;

        MbapTransport(String host, int port, int timeoutMillis) {
            this.host = host;
            this.port = port;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public synchronized void open() throws IOException {
            if (connection != null && connection.isConnected()) return;
            TCPMasterConnection c = new TCPMasterConnection(InetAddress.getByName(host));
            c.setPort(port);
            c.setTimeout(timeoutMillis);
            try {
                c.connect();
            } catch (Exception e) {
                c.close();
                throw new IOException("cannot connect to " + describe() + ": " + e.getMessage(), e);
            }
            connection = c;
        }

        TCPMasterConnection connection() throws IOException {
            TCPMasterConnection c = connection;
            if (c == null) {
                open();
                c = connection;
            }
            return c;
        }

        @Override public boolean isOpen() { return connection != null; }

        @Override public void write(byte[] bytes) { throw new UnsupportedOperationException("Modbus TCP frames go through j2mod's transaction"); }

        @Override public int read(byte[] buf, int timeoutMillis) { throw new UnsupportedOperationException("Modbus TCP frames go through j2mod's transaction"); }

        @Override public void drainInput() { }

        @Override public String describe() { return "modbus-tcp:" + host + ":" + port; }

        @Override
        public synchronized void close() {
            TCPMasterConnection c = connection;
            connection = null;
            if (c != null) c.close();
        }
    }

}
