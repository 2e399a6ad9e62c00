package io.meterlink.core.runtime;

/** The gateway could not start (buffer cannot be opened, a part failed): a runtime failure, exit 3. */
public class GatewayException extends Exception {
    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
