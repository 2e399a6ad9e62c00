package io.meterlink.core.runtime;

/**
 * A part started on a running gateway and closed with it, before the gateway's own parts
 * (provisioning, the technician endpoint). Built by a {@link Factory} from the {@link GatewayRuntime}
 * alone; {@link Gateway#extend} starts it and {@link Gateway#close} closes it.
 */
public interface GatewayExtension extends AutoCloseable {

    /** Stops the extension; never throws. */
    @Override
    void close();

    /** Builds and starts an extension on {@code runtime}; an extension with nothing to do may be inert. */
    @FunctionalInterface
    interface Factory {
        GatewayExtension start(GatewayRuntime runtime);
    }
}
