package io.meterlink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code meterlink buffer stats} against a real SQLite buffer file. */
class BufferStatsCommandTest {
    @TempDir Path dir;

    @Test
    void bufferStats_readsARealBuffer() throws Exception {
        Path config = dir.resolve("gw.yaml");
        Files.writeString(config, String.join("\n",
                "gateway_id: gw-1",
                "state_dir: state",
                "uplink: {url: 'tcp://127.0.0.1:1', allow_insecure: true}",
                ""));
        Path db = dir.resolve("state/buffer.db");
        Files.createDirectories(db.getParent());
        try (SqliteBuffer buffer = SqliteBuffer.open(BufferConfig.defaults(db),
                (seq, r) -> ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8), Clock.systemUTC())) {
            MeterId m = MeterId.of("mbus:KAM:12345678");
            List<Reading> readings = List.of(
                    Reading.of(m, Quantity.VOLUME, Unit.M3, new BigDecimal("1.5"), null, Instant.now()),
                    Reading.of(m, Quantity.VOLUME, Unit.M3, new BigDecimal("1.6"), null, Instant.now()),
                    Reading.of(m, Quantity.VOLUME, Unit.M3, new BigDecimal("1.7"), null, Instant.now()));
            buffer.append(readings).get(30, TimeUnit.SECONDS);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.commandLine(new StandardServices(), new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("buffer", "stats", "--config", config.toString(), "--json");
        assertEquals(0, rc, err::toString);
        JsonNode j = BufferReport.JSON.readTree(out.toString().strip());
        assertEquals(3, j.get("depth").asLong());
        assertEquals(3, j.get("highest_seq").asLong());
        assertTrue(j.get("bytes").asLong() > 0);
        assertEquals(db.toAbsolutePath().normalize().toString(), j.get("path").asText());
    }
}
