package io.meterlink.core.api.driver;

import java.util.List;

/**
 * One decoded frame (telegram, SML file, readout), family-neutral, as {@code meterlink decode} shows
 * it: header facts, then the records (absent for frames that carry none, such as an M-Bus ACK),
 * then trailer facts (e.g. manufacturer data, an undecoded rest). Immutable.
 *
 * @param protocol the decoder's {@link FrameDecoder#protocol()}
 * @param header   header facts in display order (meter id, manufacturer, frame type, …)
 * @param records  the records, or {@code null} when the frame has no record list
 * @param trailer  facts shown after the records
 */
public record DecodedFrame(String protocol, List<Fact> header, List<DecodedRecord> records, List<Fact> trailer) {
    public DecodedFrame {
        header = List.copyOf(header);
        records = records == null ? null : List.copyOf(records);
        trailer = List.copyOf(trailer);
    }

    /** The value of a header fact by name, or {@code null}. */
    public Object headerFact(String name) { return Fact.find(header, name); }
}
