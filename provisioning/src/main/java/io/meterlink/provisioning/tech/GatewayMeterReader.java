package io.meterlink.provisioning.tech;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.runtime.GatewayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * The {@code POST /read} hook on a running gateway: asks the gateway's drivers to read the meter now
 * and maps the outcome to the technician's answer — unknown meter 4.04, no answer in time 5.04,
 * failed line 5.03. Thread-safe when the source is.
 */
final class GatewayMeterReader implements TechServices.MeterReader {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayMeterReader.class);

    /** The shape of {@code Gateway::readNow}. */
    @FunctionalInterface
    interface Source {
        List<Reading> readNow(MeterId meter, Duration timeout) throws InterruptedException, TimeoutException, GatewayException;
    }

    private final Source source;

    GatewayMeterReader(Source source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public List<Reading> readNow(MeterId meter, Duration timeout) throws TechRequestException {
        try {
            List<Reading> readings = source.readNow(meter, timeout);
            LOG.info("Technician read {}: {} reading(s)", meter, readings.size());
            return readings;
        } catch (NoSuchElementException e) {
            throw new TechRequestException(TechRequestException.Kind.NOT_FOUND, e.getMessage());
        } catch (TimeoutException e) {
            throw new TechRequestException(TechRequestException.Kind.TIMEOUT, "meter " + meter + " did not answer: " + e.getMessage());
        } catch (GatewayException e) {
            throw new TechRequestException(TechRequestException.Kind.UNAVAILABLE, e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TechRequestException(TechRequestException.Kind.UNAVAILABLE, "the gateway is stopping");
        }
    }
}
