package io.meterlink.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalLogTest {
    @Test
    void underSystemd_whenTheServiceManagerSaysSo() {
        assertTrue(JournalLog.underSystemd(Map.of("INVOCATION_ID", "4f1c")));
        assertTrue(JournalLog.underSystemd(Map.of("JOURNAL_STREAM", "8:12345")));
        assertFalse(JournalLog.underSystemd(Map.of("HOME", "/root")));
    }

    @Test
    void everyLine_getsItsRecordsPriority_stackTracesKeepTheirs() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new JournalLog.PriorityPrefixes(sink), true, StandardCharsets.UTF_8);
        err.println("[main] INFO io.meterlink.core.runtime.Gateway - started");
        err.println("[meterlink-uplink] WARN io.meterlink.core.uplink.MqttUplink - connect failed");
        err.println("[SIGTERM handler] ERROR io.meterlink.cli.StandardServices - boom");
        new IllegalStateException("cause").printStackTrace(err);
        err.print("[main] DEBUG x - partial ");
        err.print("line");
        err.println();
        err.println("TRACE y - no thread");
        String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("<6>[main] INFO io.meterlink.core.runtime.Gateway - started", lines[0]);
        assertEquals("<4>[meterlink-uplink] WARN io.meterlink.core.uplink.MqttUplink - connect failed", lines[1]);
        assertEquals("<3>[SIGTERM handler] ERROR io.meterlink.cli.StandardServices - boom", lines[2]);
        assertEquals("<3>java.lang.IllegalStateException: cause", lines[3]);
        assertTrue(lines[4].startsWith("<3>\tat "), lines[4]);
        assertEquals("<7>[main] DEBUG x - partial line", lines[lines.length - 2]);
        assertEquals("<7>TRACE y - no thread", lines[lines.length - 1]);
    }
}
