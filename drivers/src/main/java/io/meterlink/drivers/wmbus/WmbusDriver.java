package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.transport.LineDriver;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Listens to one radio dongle (or hex line feed) on its own thread: opens the transport (reopening
 * with back-off after a failure), puts the dongle into the configured mode, frames and decodes every
 * telegram, hands the readings to the sink. Bad frames, missing or wrong keys and replays are
 * counted in {@link io.meterlink.core.api.driver.Health}, never stop the driver. Formats of full
 * frames are remembered in a {@link FormatCache} so that later compact frames decode; a telegram
 * whose last records are broken gives the readings before them and the rest is counted.
 */
final class WmbusDriver extends LineDriver {
    private static final Logger LOG = LoggerFactory.getLogger(WmbusDriver.class);
    private static final int READ_TIMEOUT_MS = 500;

    private final WmbusDriverConfig config;
    private final WmbusReadingMapper mapper;
    private final KeyLookup keys;
    private final ReplayGuard replays = new ReplayGuard();
    private final FormatCache formats;
    private final AflReassembler fragments;

    WmbusDriver(WmbusDriverConfig config, Transport transport, DriverContext context) {
        this(config, transport, context, new FormatCache());
    }

    /** @param formats compact-frame formats; one cache may be shared by every radio source of a gateway (it is thread-safe) */
    WmbusDriver(WmbusDriverConfig config, Transport transport, DriverContext context, FormatCache formats) {
        super("wmbus", transport, context);
        this.config = config;
        this.mapper = new WmbusReadingMapper(config.meterZone());
        this.keys = config.keys();
        this.formats = formats;
        // every radio's fragments are taken (a converter's link address is not its meter's id), listed meters' first
        this.fragments = AflReassembler.withSystemClock(config::known);
    }

    /** Puts the dongle into the configured mode, then frames and decodes what it hears until stopped. */
    @Override
    protected void serve() throws IOException, InterruptedException {
        DongleFramer framer = config.newFramer();
        LOG.info("{}: listening ({} {})", source(), config.dongle(), config.mode());
        byte[] setup = framer.setupCommand();
        if (setup.length > 0) transport.write(setup);
        byte[] buf = new byte[1024];
        while (running()) {
            heartbeat().beat();
            int n = transport.read(buf, READ_TIMEOUT_MS);
            if (n <= 0) {
                abandonFalseStarts(framer);
                continue;
            }
            framer.feed(buf, n);
            drain(framer, source());
        }
    }

    /** A quiet line with bytes still unframed: drop false starts until what is left frames, counted once as TRUNCATED. */
    private void abandonFalseStarts(DongleFramer framer) throws InterruptedException {
        boolean dropped = false;
        while (framer.idle()) {
            dropped = true;
            drain(framer, source());
        }
        if (dropped) badInput(new DecodeException(Kind.TRUNCATED, "incomplete dongle message abandoned after a quiet read timeout"));
    }

    private void drain(DongleFramer framer, String source) throws InterruptedException {
        while (true) {
            RadioFrame f;
            try {
                f = framer.next();
            } catch (DecodeException e) {
                badInput(e);
                continue;
            }
            if (f == null) return;
            try {
                handle(f, source);
            } catch (DecodeException e) {
                badInput(e);
            }
        }
    }

    /**
     * AFL messages left incomplete (timeout, bounds, the radio's next message begun): each one of a listed
     * meter, or of any radio under {@code accept_unknown}, is a counted {@code truncated}; an unlisted radio's
     * is not (its telegrams are ignored whole, so are its fragments), only logged.
     */
    private void countDroppedFragments(String source) {
        AflReassembler.Dropped d = fragments.takeDropped();
        long counted = d.listed() + (wanted(false) ? d.unlisted() : 0);
        for (long n = counted; n > 0; n--) badInput(new DecodeException(Kind.TRUNCATED, "fragmented AFL message dropped incomplete"));
        if (counted < d.listed() + d.unlisted()) {
            LOG.trace("{}: {} fragmented AFL messages of unlisted radios dropped incomplete (not counted)", source, d.listed() + d.unlisted() - counted);
        }
    }

    /** Whether a broken or incomplete AFL message is this gateway's bad input: a listed meter's, or any radio's under {@code accept_unknown}. */
    private boolean wanted(boolean listed) {
        return listed || config.acceptUnknown();
    }

    /**
     * Decodes one frame and stores its readings, unless it is a replay or from an unwanted meter. A fragment that
     * breaks an unlisted radio's AFL message (with {@code accept_unknown: false}) is no bad input of this gateway,
     * whose telegrams it ignores: logged at trace level, not counted.
     */
    void handle(RadioFrame f, String source) throws DecodeException, InterruptedException {
        byte[] frame = f.frame();
        WmbusTelegram t;
        try { // a decoder fault on a hostile frame is a counted bad frame (OTHER), never a stopped line
            t = guard.decode(() -> f.crcsRemoved() ? WmbusDecoder.decodeWithoutCrcs(frame, keys, formats, config.drivers(), fragments)
                    : WmbusDecoder.decode(frame, keys, formats, config.drivers(), fragments));
        } catch (AflReassembler.BrokenMessage e) {
            if (wanted(e.listed())) throw e;
            LOG.trace("{}: AFL message of an unlisted radio broken (not counted): {}", source, e.getMessage());
            return;
        } finally {
            countDroppedFragments(source);
        }
        if (t.fragmentHeld()) return;
        boolean known = config.known(t.manufacturer(), t.id()) || config.known(t.link().manufacturer(), t.link().id());
        MeterId meter = WmbusReadingMapper.meterId(t);
        if (!known && !config.acceptUnknown()) {
            LOG.trace("{}: ignoring {} (not configured)", source, meter);
            return;
        }
        replays.check(meter.toString(), t, frame); // REPLAY: heard before, or a counter not above the last accepted
        context.health().meterHeard(meter, f.rssiDbm());
        if (t.undecoded() != null) badInput(t.undecoded().toException(meter.toString())); // counted; the records before it stand
        Instant now = context.clock().instant();
        List<Reading> readings = guard.decode(() -> mapper.toReadings(t, now, f.rssiDbm())); // delivery below is not guarded
        if (!readings.isEmpty()) context.sink().accept(readings);
    }
}
