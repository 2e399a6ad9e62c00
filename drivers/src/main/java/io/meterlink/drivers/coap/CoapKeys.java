package io.meterlink.drivers.coap;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The keys of a CoAP source ({@code driver: coap}: meters serving SenML over CoAP or CoAPs). */
public final class CoapKeys {
    private CoapKeys() {
    }

    public static final ConfigKey<Duration> TIMEOUT = ConfigKey.duration("timeout", Duration.ofSeconds(10),
            Duration.ofSeconds(1), Duration.ofMinutes(5), "one request's answer, retransmissions and blockwise transfer included");
    public static final ConfigKey<List<Settings>> METERS = ConfigKey.sections("meters[]", "the meters, at least one")
            .defaultDescribed("required");
    public static final ConfigKey<String> ID = ConfigKey.required("meters[].id", "meter id `coap:<manufacturer>:<id>`")
            .describedAs("1–40 of `[A-Za-z0-9._-]`");
    public static final ConfigKey<String> MANUFACTURER = ConfigKey.text("meters[].manufacturer", "senml",
            "the middle part of the meter id").describedAs("1–16 of `[A-Za-z0-9@_-]`");
    public static final ConfigKey<String> URI = ConfigKey.required("meters[].uri", "the SenML resource")
            .describedAs("`coap://` or `coaps://` URI");
    public static final ConfigKey<String> MODE = ConfigKey.choice("meters[].mode", "observe", List.of("observe", "poll"),
            "observe the resource (RFC 7641), or poll it");
    public static final ConfigKey<Duration> INTERVAL = ConfigKey.duration("meters[].interval", Duration.ofMinutes(1),
            Duration.ofSeconds(1), Duration.ofDays(1), "poll interval; with observe, how often the meter notifies");
    public static final ConfigKey<Duration> REREGISTER_AFTER = ConfigKey.duration("meters[].reregister_after",
            Duration.ofMinutes(3), Duration.ofSeconds(2), Duration.ofDays(3),
            "observe: no notification for this long → register again").defaultDescribed("3 × `interval`");
    public static final ConfigKey<Duration> MIN_GAP = ConfigKey.duration("meters[].min_gap", Duration.ofSeconds(1),
            Duration.ZERO, Duration.ofHours(1), "notifications closer together are dropped and counted (`other`)")
            .defaultDescribed("`interval` / 10, at most `1s`");
    public static final ConfigKey<String> PSK_IDENTITY = ConfigKey.text("meters[].psk_identity", null,
            "DTLS PSK identity, with `psk_file`").defaultDescribed("none");
    public static final ConfigKey<Optional<Path>> PSK_FILE = ConfigKey.path("meters[].psk_file",
            "the PSK: the file's bytes, or `hex:` and hex digits; owner-only (`chmod 600`), never logged").defaultDescribed("none");
    public static final ConfigKey<Optional<Path>> CERT_FILE = ConfigKey.path("meters[].cert_file",
            "DTLS with X.509: the gateway's certificate chain (PEM), with `key_file` and `trust_file`").defaultDescribed("none");
    public static final ConfigKey<Optional<Path>> KEY_FILE = ConfigKey.path("meters[].key_file",
            "its private key (PEM), owner-only (`chmod 600`)").defaultDescribed("none");
    public static final ConfigKey<Optional<Path>> TRUST_FILE = ConfigKey.path("meters[].trust_file",
            "the CA certificates (PEM) that sign the meters' certificates").defaultDescribed("none");

    public static final KeyGroup GROUP = KeyGroup.of("coap", "", TIMEOUT, METERS, ID, MANUFACTURER, URI, MODE, INTERVAL,
            REREGISTER_AFTER, MIN_GAP, PSK_IDENTITY, PSK_FILE, CERT_FILE, KEY_FILE, TRUST_FILE);
}
