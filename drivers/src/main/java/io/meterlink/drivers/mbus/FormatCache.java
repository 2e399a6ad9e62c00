package io.meterlink.drivers.mbus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The formats of full frames heard, for decoding compact frames (OMS Vol 2 / EN 13757-7 CI 79, 7B,
 * 73): a compact frame carries only the data of its records and a format signature, the CRC-16
 * (EN 13757-4 polynomial) over the DIB and VIB bytes of the full frame it was made from. A format is
 * kept per meter model (manufacturer, version, device type) and signature, so a compact frame decodes
 * once a full frame with the same format has been heard from that meter or one of its model; the
 * compact frame's full-frame CRC then checks the rebuilt records. Bounded ({@code maxFormats}, least
 * recently used forgotten first) and thread-safe.
 */
public final class FormatCache {
    /** Default bound: far more formats than a gateway's meter models send. */
    public static final int DEFAULT_MAX_FORMATS = 1024;

    private final Map<String, byte[]> formats;

    public FormatCache() { this(DEFAULT_MAX_FORMATS); }

    public FormatCache(int maxFormats) {
        if (maxFormats < 1) throw new IllegalArgumentException("maxFormats must be at least 1, got " + maxFormats);
        this.formats = new LinkedHashMap<>(64, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<String, byte[]> e) { return size() > maxFormats; }
        };
    }

    /** The meter model a format belongs to. */
    public static String model(String manufacturer, int version, int deviceType) {
        return manufacturer + "/" + version + "/" + deviceType;
    }

    /** The format signature of {@code format}: its CRC-16 (OMS Vol 2, compact frame). */
    public static int signature(byte[] format) { return Crc16.of(format, 0, format.length); }

    /** Called once per format new to the cache (model, format), outside the cache's lock; may be {@code null}. */
    private volatile java.util.function.BiConsumer<String, byte[]> onNew;

    /** Tells {@code listener} about every format learnt from now on (e.g. to persist it). */
    public void onNew(java.util.function.BiConsumer<String, byte[]> listener) { this.onNew = listener; }

    /** Remembers {@code format} (DIB and VIB bytes in order) for {@code model}. */
    public void learn(String model, byte[] format) {
        if (format.length == 0) return;
        String key = key(model, signature(format));
        byte[] copy;
        synchronized (this) {
            if (formats.get(key) != null) return; // a format heard again only counts as recent
            copy = format.clone();
            formats.put(key, copy);
        }
        java.util.function.BiConsumer<String, byte[]> l = onNew;
        if (l != null) l.accept(model, copy.clone());
    }

    /** The format of {@code model} with {@code signature}, or {@code null} when none was heard. */
    public synchronized byte[] lookup(String model, int signature) {
        byte[] f = formats.get(key(model, signature));
        return f == null ? null : f.clone();
    }

    /** Number of formats held. */
    public synchronized int size() { return formats.size(); }

    private static String key(String model, int signature) { return model + "#" + signature; }
}
