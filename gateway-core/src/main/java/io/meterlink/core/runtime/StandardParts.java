package io.meterlink.core.runtime;

import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.config.StoredForm;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.tls.TlsMaterial;
import io.meterlink.core.uplink.CommandHandler;
import io.meterlink.core.uplink.JsonPayloads;
import io.meterlink.core.uplink.MqttUplink;
import io.meterlink.core.uplink.ReadingRecords;
import io.meterlink.core.status.UplinkStats;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** The real parts: the SQLite buffer, the payload encoder and the Paho MQTT uplink. */
public final class StandardParts implements GatewayParts {
    /** The TLS files as the configuration check parsed them, for the uplink's first context only. */
    private final AtomicReference<TlsMaterial> parsedTls;

    public StandardParts() {
        this(TlsMaterial.none());
    }

    /** With the TLS files as the configuration check parsed them: the first uplink takes them (and this drops them). */
    public StandardParts(TlsMaterial parsedTls) {
        this.parsedTls = new AtomicReference<>(java.util.Objects.requireNonNull(parsedTls, "parsedTls"));
    }

    @Override public ReadingEncoder encoder(String gatewayId) {
        return new JsonPayloads(gatewayId);
    }

    /** JSON v1 objects, or records, which need no parsing to send compact. */
    @Override public ReadingEncoder encoder(String gatewayId, StoredForm form) {
        return form == StoredForm.RECORDS ? new ReadingRecords() : encoder(gatewayId);
    }

    @Override public Buffer openBuffer(BufferConfig config, ReadingEncoder encoder, Clock clock) {
        return SqliteBuffer.open(config, encoder, clock);
    }

    /** The lock is taken now (a second process stops here); the rest of the open runs in the step. */
    @Override public java.util.concurrent.Callable<Buffer> claimBuffer(BufferConfig config, ReadingEncoder encoder, Clock clock) {
        SqliteBuffer.Claim claim = SqliteBuffer.claim(config);
        return () -> claim.open(encoder, clock);
    }

    @Override public UplinkService uplink(UplinkConfig config, String gatewayId, Buffer buffer,
                                          Supplier<StatusSnapshot> status, Clock clock) {
        MqttUplink uplink = new MqttUplink(config, gatewayId, buffer, status, clock, parsedTls.getAndSet(TlsMaterial.none()));
        return new UplinkService() {
            @Override public void start() { uplink.start(); }

            @Override public void heartbeat(io.meterlink.core.api.driver.Heartbeat heartbeat) { uplink.heartbeat(heartbeat); }

            @Override public UplinkStats stats() { return uplink.stats(); }

            @Override public void close() { uplink.close(); }

            @Override public void commands(CommandHandler handler) { uplink.commands(handler); }

            @Override public void reconnect() { uplink.reconnect(); }

            @Override public void trial(UplinkConfig next, java.time.Duration bound, io.meterlink.core.uplink.TrialListener listener) {
                uplink.trial(next, bound, listener);
            }

            @Override public boolean credentialsRefused() { return uplink.credentialsRefused(); }
        };
    }
}
