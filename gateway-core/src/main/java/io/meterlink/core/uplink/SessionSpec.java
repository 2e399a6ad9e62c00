package io.meterlink.core.uplink;

import javax.net.SocketFactory;
import java.util.Optional;

/**
 * Everything a {@link MqttSession} needs to connect, resolved once from the configuration.
 * {@code password} is held only to hand it to the client library; {@link #toString()} hides it.
 */
record SessionSpec(
        String url,
        String clientId,
        Optional<SocketFactory> socketFactory,
        Optional<String> username,
        Optional<char[]> password,
        int keepAliveS,
        int connectTimeoutS,
        int maxInflight,
        String willTopic,
        byte[] willPayload) {

    @Override
    public String toString() {
        return "SessionSpec[url=" + url + ", clientId=" + clientId + ", tls=" + socketFactory.isPresent()
                + ", username=" + username.orElse("-") + ", password=" + (password.isPresent() ? "******" : "-") + "]";
    }
}
