package io.meterlink.core.uplink.internal;

/**
 * What a QoS 1 publish carried, handed to the client library with the publish and given back with
 * its acknowledgement, so the uplink knows what the broker confirmed or refused. Immutable.
 */
public sealed interface PublishTag {

    /** A batch of readings; {@code id} is the {@code Drain} batch id. */
    record Batch(long id) implements PublishTag {
    }

    /** A retained status message; {@code id} counts the status messages of this uplink. */
    record Status(long id) implements PublishTag {
    }

    /** A command reply; {@code id} counts the replies of this uplink. */
    record Reply(long id) implements PublishTag {
    }
}
