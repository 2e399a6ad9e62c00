package io.meterlink.archfixture.core.api.driver;

/** The fixture's typed refusal of bad input: a method throwing it is a decoder. */
public class DecodeException extends Exception {
    public DecodeException(String message) {
        super(message);
    }
}
