package io.meterlink.archfixture.core.api;

/** Allowed for drivers. */
public interface Contract {
}
