package io.meterlink.core.status;

/**
 * Counters of the command channel ({@code <prefix>/<gw>/cmd/#}) since start.
 *
 * @param received       commands that arrived (including those refused below)
 * @param tooLarge       refused with {@code too_large}: body above {@code MqttUplink.MAX_COMMAND_BYTES}
 * @param busy           refused with {@code busy}: more than {@code MqttUplink.MAX_PENDING_COMMANDS} waiting
 * @param failed         the command handler threw: answered {@code internal_error}
 * @param repliesDropped replies not queued because {@code MqttUplink.MAX_PENDING_REPLIES} were waiting
 */
public record CommandStats(long received, long tooLarge, long busy, long failed, long repliesDropped) {
    /** No command seen. */
    public static final CommandStats NONE = new CommandStats(0, 0, 0, 0, 0);
}
