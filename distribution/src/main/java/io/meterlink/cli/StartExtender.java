package io.meterlink.cli;

import io.meterlink.core.runtime.SdNotify;

import java.util.concurrent.TimeUnit;

/**
 * While the gateway does something long before it is ready (enrolment by claim waits for the
 * utility), tells systemd so: {@code STATUS=} and {@code EXTEND_TIMEOUT_USEC=} every 30 s, each
 * extending the start timeout by 90 s from now. Stops when closed; a no-op without a notify socket.
 */
final class StartExtender implements AutoCloseable {
    static final long TICK_S = 30;
    static final long EXTEND_S = 90;
    private final Thread thread;

    private StartExtender(Thread thread) { this.thread = thread; }

    static StartExtender start(SdNotify notify, String what) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    notify.send("STATUS=" + what + "\nEXTEND_TIMEOUT_USEC=" + TimeUnit.SECONDS.toMicros(EXTEND_S));
                    Thread.sleep(TimeUnit.SECONDS.toMillis(TICK_S));
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "meterlink-start-extender");
        t.setDaemon(true);
        if (notify.enabled()) t.start();
        return new StartExtender(t);
    }

    @Override public void close() {
        thread.interrupt();
    }
}
