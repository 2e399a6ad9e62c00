package io.meterlink.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The whole validated configuration of one gateway, as bound by {@link ConfigLoader}.
 *
 * @param source    the file it was read from (for messages), or {@code null} when built in code
 * @param gatewayId the gateway's id: also the MQTT topic level, so no {@code + # /}
 * @param stateDir  directory for the buffer and other state (default {@code /var/lib/meterlink})
 * @param buffer    the {@code buffer:} section
 * @param uplink    the {@code uplink:} section
 * @param sources   the {@code sources:} list, in file order, names unique
 * @param sections  the values of the sections other modules declare ({@link ConfigSection}), by key
 */
public record GatewayConfig(Path source, String gatewayId, Path stateDir, BufferConfig buffer, UplinkConfig uplink,
                            List<SourceConfig> sources, Map<String, Object> sections) {
    /** What a gateway id (and a source name) may look like. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/meterlink");

    public GatewayConfig {
        Objects.requireNonNull(gatewayId, "gatewayId");
        if (!ID.matcher(gatewayId).matches()) {
            throw new IllegalArgumentException("invalid gateway id");
        }
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(uplink, "uplink");
        sources = List.copyOf(sources);
        sections = Map.copyOf(sections);
    }

    /** A configuration without module sections. */
    public GatewayConfig(Path source, String gatewayId, Path stateDir, BufferConfig buffer, UplinkConfig uplink,
                         List<SourceConfig> sources) {
        this(source, gatewayId, stateDir, buffer, uplink, sources, Map.of());
    }

    /** The same configuration with another {@code buffer:} section. */
    public GatewayConfig withBuffer(BufferConfig other) {
        return new GatewayConfig(source, gatewayId, stateDir, other, uplink, sources, sections);
    }

    /** How this gateway's buffer stores readings (the one place that decides it). */
    public StoredForm storedForm() {
        return StoredForm.of(buffer, uplink);
    }

    /** The bound value of {@code section}, when the loader knew it (its module was installed). */
    public <T> Optional<T> section(ConfigSection<T> section, Class<T> type) {
        return Optional.ofNullable(sections.get(section.key())).map(type::cast);
    }
}
