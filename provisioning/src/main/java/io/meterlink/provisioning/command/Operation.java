package io.meterlink.provisioning.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One command of the channel besides {@code apply-bundle} ({@link CommandDispatcher#register}). Runs on
 * the dispatcher's worker thread, one at a time.
 */
interface Operation {
    /**
     * Runs the command with its {@code args} (the signed body's {@code args}, or the plain JSON body of a
     * read-only command; an empty object when there is none) and fills {@code reply} ({@code ok} and what
     * the command reports). {@code afterReply} takes what must happen once the reply is on its way (a restart).
     *
     * @throws CommandRefusedException bad arguments (code {@code bad_arguments}) or a refusal of the command itself
     */
    void run(JsonNode args, ObjectNode reply, java.util.List<Runnable> afterReply) throws CommandRefusedException;
}
