package io.meterlink.cli;

import java.io.PrintWriter;

/** Runs {@code meterlink} with the test drivers in a separate JVM (for {@link ProvisionLeakTest}). */
public final class ProvisionRun {
    private ProvisionRun() {
    }

    public static void main(String[] args) {
        int code = Main.commandLine(new ProvisionCommandTest.ProvisionServices(), new PrintWriter(System.out, true),
                new PrintWriter(System.err, true)).execute(args);
        System.exit(code);
    }
}
