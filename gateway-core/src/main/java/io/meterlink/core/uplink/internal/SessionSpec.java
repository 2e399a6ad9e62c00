package io.meterlink.core.uplink.internal;

import javax.net.SocketFactory;
import java.util.Optional;

/**
 * Everything a {@link MqttSession} needs to connect, resolved once from the configuration.
 * {@code password} is held only to hand it to the client library; {@link #toString()} hides it.
 * {@code maxPacketBytes}: the largest inbound MQTT packet taken (announced at CONNECT under MQTT 5,
 * enforced on the socket by {@link InboundPacketGuard} under both versions).
 */
public record SessionSpec(
        String url,
        String clientId,
        Optional<SocketFactory> socketFactory,
        Optional<String> username,
        Optional<char[]> password,
        int keepAliveS,
        int connectTimeoutS,
        int maxInflight,
        String willTopic,
        byte[] willPayload,
        int maxPacketBytes) {

    @Override
    public String toString() {
        return "SessionSpec[url=" + url + ", clientId=" + clientId + ", tls=" + socketFactory.isPresent()
                + ", username=" + username.orElse("-") + ", password=" + (password.isPresent() ? "******" : "-") + "]";
    }
}
