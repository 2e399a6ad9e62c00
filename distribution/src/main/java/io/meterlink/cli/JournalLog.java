package io.meterlink.cli;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Log lines in the form the place they go to wants. Under systemd (the service manager sets
 * {@code INVOCATION_ID}, and {@code JOURNAL_STREAM} when stderr is the journal) each line of stderr
 * starts with its syslog priority as sd-daemon(3) describes ({@code <3>} error, {@code <4>} warning,
 * {@code <6>} info, {@code <7>} debug and trace) and carries no timestamp, since the journal stamps
 * every line itself. Elsewhere lines carry an ISO-8601 timestamp and no prefix.
 *
 * <p>Works with slf4j-simple's line format ({@code [thread] LEVEL logger - message}): must run
 * before the first logger is made. A line that does not start a record (a stack trace, a wrapped
 * message) keeps the priority of the record it belongs to.
 */
final class JournalLog {
    static final String SHOW_DATE_TIME = "org.slf4j.simpleLogger.showDateTime";
    static final String DATE_TIME_FORMAT = "org.slf4j.simpleLogger.dateTimeFormat";

    private JournalLog() {
    }

    static boolean underSystemd(Map<String, String> env) {
        return env.containsKey("JOURNAL_STREAM") || env.containsKey("INVOCATION_ID");
    }

    /** Configures the logger for {@code env} and returns the stream stderr should be. */
    static PrintStream configure(Map<String, String> env, PrintStream stderr) {
        if (underSystemd(env)) {
            if (System.getProperty(SHOW_DATE_TIME) == null) System.setProperty(SHOW_DATE_TIME, "false");
            return new PrintStream(new PriorityPrefixes(stderr), true, StandardCharsets.UTF_8);
        }
        if (System.getProperty(SHOW_DATE_TIME) == null) {
            System.setProperty(SHOW_DATE_TIME, "true");
            if (System.getProperty(DATE_TIME_FORMAT) == null) System.setProperty(DATE_TIME_FORMAT, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        }
        return stderr;
    }

    /** Puts {@code <n>} before every line written through it. Thread-safe (lines of two threads do not mix). */
    static final class PriorityPrefixes extends FilterOutputStream {
        private static final Pattern RECORD = Pattern.compile("^(?:\\[[^\\]]*\\] )?(ERROR|WARN|INFO|DEBUG|TRACE) ");
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private String current = "<6>";

        PriorityPrefixes(OutputStream out) {
            super(out);
        }

        static String priority(String level) {
            return switch (level) {
                case "ERROR" -> "<3>";
                case "WARN" -> "<4>";
                case "INFO" -> "<6>";
                default -> "<7>";
            };
        }

        @Override public synchronized void write(int b) throws IOException {
            line.write(b);
            if (b == '\n') emit();
        }

        @Override public synchronized void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) write(b[i]);
        }

        @Override public synchronized void flush() throws IOException {
            out.flush();
        }

        @Override public synchronized void close() throws IOException {
            if (line.size() > 0) {
                line.write('\n');
                emit();
            }
            super.close();
        }

        private void emit() throws IOException {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            Matcher m = RECORD.matcher(text);
            if (m.find()) current = priority(m.group(1));
            out.write(current.getBytes(StandardCharsets.US_ASCII));
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
