package io.meterlink.provisioning.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.runtime.GatewayRuntime;
import io.meterlink.core.tls.TlsContexts;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.update.Releases;
import io.meterlink.provisioning.update.UpdateDownload;
import io.meterlink.provisioning.update.UpdateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The software update commands (docs/fleet.md): {@code update} (signed: the package's manifest, see
 * {@link UpdateDownload#manifest}; with {@code url} the package is fetched over HTTPS at once, else it
 * comes as {@code update-chunk/<index>} messages), {@code update-chunk} (raw bytes; trusted only through
 * the signed SHA-256) and {@code update-status} (read-only). A complete, verified package is installed as
 * a release and made {@code current} on trial ({@link Releases#activate}); the gateway then restarts into
 * it, and {@code UpdateGuard} confirms it or rolls it back.
 */
final class UpdateOperations {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateOperations.class);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(60);

    private final Releases releases;
    private final UpdateDownload download;
    private final GatewayRuntime gateway;
    private final Path caFile;

    UpdateOperations(Releases releases, GatewayRuntime gateway, Path caFile) {
        this.releases = releases;
        this.download = new UpdateDownload(releases.root());
        this.gateway = gateway;
        this.caFile = caFile;
    }

    void register(CommandDispatcher d) {
        d.register("update", true, this::update);
        d.registerRaw("update-chunk", this::chunk);
        d.register("update-status", false, this::status);
    }

    private static CommandRefusedException refused(UpdateException e) {
        return new CommandRefusedException(e.code(), e.getMessage());
    }

    private void update(JsonNode args, ObjectNode r, List<Runnable> afterReply) throws CommandRefusedException {
        try {
            UpdateDownload.Manifest m = UpdateDownload.manifest(args);
            Optional<String> current = releases.current();
            if (current.isEmpty()) {
                throw new CommandRefusedException("not_updatable", "this gateway does not run from " + releases.root().resolve(Releases.CURRENT));
            }
            if (releases.pending().isPresent()) throw new CommandRefusedException("update_pending", "an update is on trial; wait for its outcome");
            if (current.get().equals(m.version())) throw new CommandRefusedException("same_version", "version " + m.version() + " is running");
            r.put("version", m.version());
            if (m.url().isPresent()) {
                Path jar = download.fetch(m, TlsContexts.socketFactory(caFile, Optional.empty(), Optional.empty()), FETCH_TIMEOUT);
                install(m, jar, r, afterReply);
                return;
            }
            long next = download.begin(m);
            r.put("ok", true);
            r.put("state", "downloading");
            r.put("next_chunk", next);
            r.put("chunks", m.chunks());
            LOG.info("Update to {} announced: {} bytes in {} chunk(s), resuming at chunk {}", m.version(), m.size(), m.chunks(), next);
        } catch (UpdateException e) {
            throw refused(e);
        } catch (TlsContexts.TlsSetupException e) {
            throw new CommandRefusedException("download_failed", "the pinned CA is unusable: " + e.getMessage());
        }
    }

    private void chunk(String request, byte[] payload, ObjectNode r, List<Runnable> afterReply) throws CommandRefusedException {
        long index;
        try {
            index = Long.parseLong(request);
        } catch (NumberFormatException e) {
            throw new CommandRefusedException("bad_chunk", "the topic must end in cmd/update-chunk/<index>");
        }
        try {
            UpdateDownload.Manifest m = download.activeManifest()
                    .orElseThrow(() -> new UpdateException("no_download", "no download is in progress; send 'update' first"));
            UpdateDownload.Progress p = download.chunk(m, index, payload);
            r.put("version", m.version());
            r.put("next_chunk", p.nextChunk());
            r.put("chunks", p.chunks());
            if (p.complete().isEmpty()) {
                r.put("ok", true);
                r.put("state", "downloading");
                return;
            }
            install(m, p.complete().get(), r, afterReply);
        } catch (UpdateException e) {
            throw refused(e);
        }
    }

    private void install(UpdateDownload.Manifest m, Path jar, ObjectNode r, List<Runnable> afterReply) throws CommandRefusedException {
        try {
            releases.install(m.version(), jar);
            download.discard();
            Releases.Pending p = releases.activate(m.version());
            r.put("ok", true);
            r.put("state", "installed");
            r.put("previous", p.previous());
            r.put("message", "release " + m.version() + " is current on trial; the gateway restarts into it");
            LOG.info("Update to {} verified and installed (was {}): restarting into it", m.version(), p.previous());
            afterReply.add(() -> FleetOperations.restartSoon(gateway, "update to " + m.version()));
        } catch (ProvisioningException e) {
            download.discard();
            throw new CommandRefusedException("storage", e.getMessage());
        }
    }

    private void status(JsonNode args, ObjectNode r, List<Runnable> afterReply) {
        r.put("ok", true);
        r.put("current", releases.current().orElse(null));
        releases.pending().ifPresent(p -> r.putObject("pending").put("version", p.version()).put("previous", p.previous()));
        download.activeManifest().ifPresent(m -> {
            ObjectNode d = r.putObject("download");
            d.put("version", m.version());
            d.put("chunks", m.chunks());
        });
        put(r, "last_confirmed", releases.confirmed());
        put(r, "last_rolled_back", releases.failed());
    }

    private static void put(ObjectNode r, String name, Map<String, String> values) {
        if (values.isEmpty()) return;
        ObjectNode n = r.putObject(name);
        values.forEach(n::put);
    }
}
