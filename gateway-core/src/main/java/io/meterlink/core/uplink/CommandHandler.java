package io.meterlink.core.uplink;

import java.util.function.Consumer;

/**
 * Receives the commands the head-end publishes to {@code <prefix>/<gw>/cmd/<name>} (QoS 1, over the
 * uplink's authenticated TLS session; the broker's ACL lets only the head-end write there).
 *
 * <p>Called on the uplink thread: implementations must return quickly and do the work on their own
 * thread. {@code reply} may be called once, from any thread; its payload is published (QoS 1, not
 * retained) to {@code <prefix>/<gw>/cmd-reply} when the uplink is connected, and dropped otherwise.
 */
@FunctionalInterface
public interface CommandHandler {
    /**
     * @param name    the topic after {@code cmd/}, e.g. {@code apply-bundle} or {@code apply-bundle/42}
     * @param payload the message body as received
     * @param reply   publishes a reply; never blocks
     */
    void onCommand(String name, byte[] payload, Consumer<byte[]> reply);
}
