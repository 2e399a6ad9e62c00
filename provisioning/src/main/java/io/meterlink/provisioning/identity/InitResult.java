package io.meterlink.provisioning.identity;

import io.meterlink.provisioning.secret.TechnicianSecret;

/**
 * What {@code provision init} created.
 *
 * @param identity         the new identity
 * @param technicianSecret the new technician secret, to be shown once for the device label
 * @param replaced         true when an earlier identity was overwritten ({@code --force})
 */
public record InitResult(DeviceIdentity identity, TechnicianSecret technicianSecret, boolean replaced) {
}
