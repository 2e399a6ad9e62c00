package io.meterlink.provisioning.update;

/**
 * An update step refused, with the stable {@code error} code of its {@code cmd-reply}
 * ({@code bad_manifest}, {@code too_large}, {@code out_of_order}, {@code bad_chunk}, {@code hash_mismatch},
 * {@code no_download}, {@code download_failed}, {@code update_pending}, {@code same_version}, {@code storage}).
 */
public final class UpdateException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    public UpdateException(String code, String message) {
        super(message);
        this.code = code;
    }

    public UpdateException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() { return code; }
}
