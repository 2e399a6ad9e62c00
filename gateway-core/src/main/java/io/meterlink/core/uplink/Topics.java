package io.meterlink.core.uplink;

import java.util.Objects;
import java.util.Optional;

/**
 * The gateway's MQTT topics under {@code <prefix>/<gw>/} (docs/payloads.md): the one place their
 * names are written. Immutable.
 *
 * @param readings       QoS 1 batches of readings
 * @param status         the retained status (and the last will)
 * @param commandPrefix  {@code …/cmd/}: a command's name follows it
 * @param commandFilter  {@code …/cmd/#}: the subscription for every command
 * @param replies        command replies
 */
record Topics(String readings, String status, String commandPrefix, String commandFilter, String replies) {

    static Topics of(String prefix, String gatewayId) {
        String base = Objects.requireNonNull(prefix, "prefix") + "/" + Objects.requireNonNull(gatewayId, "gatewayId") + "/";
        return new Topics(base + "readings", base + "status", base + "cmd/", base + "cmd/#", base + "cmd-reply");
    }

    /** The command name of a message on {@code topic} (the part after {@code cmd/}), empty for any other topic. */
    Optional<String> commandName(String topic) {
        return topic.startsWith(commandPrefix) ? Optional.of(topic.substring(commandPrefix.length())) : Optional.empty();
    }
}
