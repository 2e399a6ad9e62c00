package io.meterlink.provisioning.command;

/**
 * A command refused before it ran, with the stable {@code error} code of its {@code cmd-reply}
 * ({@code unsigned}, {@code bad_signature}, {@code replayed}, …). The message never quotes a value
 * from the command.
 */
final class CommandRefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    CommandRefusedException(String code, String message) {
        super(message);
        this.code = code;
    }

    String code() { return code; }
}
