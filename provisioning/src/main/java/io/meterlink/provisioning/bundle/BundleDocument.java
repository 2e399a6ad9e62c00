package io.meterlink.provisioning.bundle;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.keys.GatewayKeys;
import io.meterlink.core.api.config.keys.UplinkKeys;
import io.meterlink.core.config.BrokerUrl;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.api.config.HardenedYaml;
import io.meterlink.provisioning.bundle.BundleRefusedException.Reason;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.secret.ProvisioningException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration bundle, parsed and turned into the gateway's YAML configuration. The bundle is a
 * YAML document (JSON is valid YAML, so a JSON bundle works too):
 *
 * <pre>
 * bundle_version: 8            # required; must be greater than the installed bundle's
 * gateway_id: gw-0001          # this gateway's id; required in a signed bundle
 * topic_prefix: meterlink/v1   # optional
 * ca_certificates: |           # required: the utility CA(s), PEM, pinned for the broker and for install-cert
 *   -----BEGIN CERTIFICATE----- …
 * broker:                      # the uplink section of the configuration, without tls and topic_prefix
 *   url: ssl://mqtt.utility.example:8883
 * buffer: {…}                  # optional, as in the configuration
 * schedules:                   # optional: named sets of keys a source takes with 'schedule: NAME'
 *   quarter-hourly: {poll_interval: 15m, expected_interval: 15m}
 * sources:                     # the meter inventory, as in the configuration (with per-meter keys)
 *   - {name: heat, driver: mbus, schedule: quarter-hourly, …}
 * signing_key: |               # optional: the next bundle-signing key (PEM), pinned once this bundle is applied
 *   -----BEGIN PUBLIC KEY----- …
 * </pre>
 *
 * Scalars are carried over as written (as YAML nodes, so a hex key is never reinterpreted as a
 * number). Errors never quote values. Not thread-safe; one per apply.
 */
final class BundleDocument {
    static final int MAX_BYTES = HardenedYaml.MAX_BYTES;
    /** The bundle's name for the configuration's {@code uplink} section. */
    static final String BROKER = "broker";
    static final String CA_CERTIFICATES = "ca_certificates";
    private static final Set<String> TOP_KEYS = Set.of("bundle_version", "gateway_id", "topic_prefix", CA_CERTIFICATES,
            BROKER, "buffer", "schedules", "sources", "signing_key");
    /** A URL with user-info ({@code scheme://user[:password]@host}). */
    private static final Pattern URL_USER_INFO = Pattern.compile("(?s)\\s*[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\s]*@.*");
    /** Keys whose value is a file or directory the gateway writes or reads: confined to the state directory. */
    private static final Pattern PATH_KEY = Pattern.compile("path|.*_file|.*_dir");
    /** State directory parts no bundle path may reach. */
    private static final List<String> PROTECTED = List.of("identity", "tls", "bundles", "config", "config.prev");
    private static final Pattern SOURCE_KEY = Pattern.compile("sources\\[(\\d+)]\\.([^.\\[]+)(.*)");

    private final String name;
    private final List<ConfigError> errors = new ArrayList<>();
    private MappingNode root;
    private long version;
    private String gatewayId;
    private String caPem;
    private PublicKey signingKey;
    private List<X509Certificate> caCertificates = List.of();
    /** sources[i] -> (key -> schedule name) for keys a schedule gave it, to blame the schedule in errors. */
    private final Map<Integer, Map<String, String>> fromSchedule = new HashMap<>();

    private BundleDocument(String name) {
        this.name = name;
    }

    /** Parses and checks the bundle's own structure; {@link #errors()} holds what is wrong. */
    static BundleDocument parse(String name, byte[] bytes, Instant now) {
        BundleDocument d = new BundleDocument(name);
        d.read(bytes, now);
        return d;
    }

    List<ConfigError> errors() { return errors; }

    long version() { return version; }

    /** The gateway id the bundle names, or {@code null}. */
    String gatewayId() { return gatewayId; }

    String caPem() { return caPem; }

    /** The broker URL as written ({@code broker.url}), or {@code null}. */
    String brokerUrl() {
        NodeTuple b = root == null ? null : entries(root, null).get(BROKER);
        if (b == null || !(b.getValueNode() instanceof MappingNode bm)) return null;
        NodeTuple u = entries(bm, null).get("url");
        return u != null && u.getValueNode() instanceof ScalarNode s ? s.getValue().trim() : null;
    }

    List<X509Certificate> caCertificates() { return caCertificates; }

    /** The new bundle-signing key this bundle pins ({@code signing_key}), or {@code null}. */
    PublicKey signingKey() { return signingKey; }

    /**
     * The rules no signature lifts: the broker only over TLS ({@code ssl://}, never {@code allow_insecure}),
     * no credentials inside any URL, and every path-valued key ({@code path}, {@code *_file},
     * {@code *_dir}) absolute, inside {@code stateRoot} once symbolic links are resolved, and outside
     * {@code identity/}, {@code tls/}, {@code bundles/} and the {@code config} links. Call after
     * {@link #parse} (does nothing when the bundle did not parse).
     */
    void checkGuardRails(Path stateRoot) throws BundleRefusedException {
        if (root == null) return;
        Map<String, NodeTuple> top = entries(root, null);
        NodeTuple broker = top.get(BROKER);
        if (broker != null && broker.getValueNode() instanceof MappingNode bm) {
            Map<String, NodeTuple> b = entries(bm, null);
            String insecure = UplinkKeys.ALLOW_INSECURE.local();
            if (b.containsKey(insecure)) {
                throw new BundleRefusedException(Reason.FORBIDDEN_SETTING, BROKER + "." + insecure + " (line "
                        + line(b.get(insecure).getKeyNode()) + "): no bundle may allow plaintext MQTT");
            }
            NodeTuple url = b.get(UplinkKeys.URL.local());
            if (url != null && url.getValueNode() instanceof ScalarNode u && BrokerUrl.schemeOf(u.getValue()).orElse(null) != BrokerUrl.Scheme.SSL) {
                throw new BundleRefusedException(Reason.FORBIDDEN_SETTING, BROKER + "." + UplinkKeys.URL.local() + " (line " + line(u)
                        + "): a bundle may only name an ssl:// broker");
            }
        }
        walk(root, "", stateRoot);
    }

    private void walk(Node node, String key, Path stateRoot) throws BundleRefusedException {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
                walk(t.getValueNode(), key.isEmpty() ? k : key + "." + k, stateRoot);
            }
        } else if (node instanceof SequenceNode seq) {
            for (int i = 0; i < seq.getValue().size(); i++) walk(seq.getValue().get(i), key + "[" + i + "]", stateRoot);
        } else if (node instanceof ScalarNode s) {
            if (URL_USER_INFO.matcher(s.getValue()).matches()) {
                throw new BundleRefusedException(Reason.FORBIDDEN_SETTING, key + " (line " + line(s)
                        + "): a URL must not carry a user name or password; use the broker's username/password keys");
            }
            String last = key.substring(key.lastIndexOf('.') + 1);
            if (PATH_KEY.matcher(last).matches() && !key.equals(CA_CERTIFICATES)) confined(key, s, stateRoot);
        }
    }

    private static void confined(String key, ScalarNode s, Path stateRoot) throws BundleRefusedException {
        String text = s.getValue().trim();
        String where = key + " (line " + line(s) + ")";
        Path p;
        try {
            p = Path.of(text);
        } catch (InvalidPathException e) {
            throw new BundleRefusedException(Reason.PATH_ESCAPE, where + ": not a valid path");
        }
        if (!p.isAbsolute()) throw new BundleRefusedException(Reason.PATH_ESCAPE, where + ": must be an absolute path inside the state directory");
        for (Path part : p) {
            if (part.toString().equals("..")) throw new BundleRefusedException(Reason.PATH_ESCAPE, where + ": '..' is not allowed in a path");
        }
        Path root = realOrNormal(stateRoot);
        Path real = realOrNormal(p);
        if (!real.startsWith(root) || real.equals(root)) {
            throw new BundleRefusedException(Reason.PATH_ESCAPE, where + ": outside the state directory " + root);
        }
        for (String prot : PROTECTED) {
            if (real.startsWith(root.resolve(prot)) || real.startsWith(realOrNormal(stateRoot.resolve(prot)))) {
                throw new BundleRefusedException(Reason.PATH_ESCAPE, where + ": inside " + prot + "/ of the state directory");
            }
        }
    }

    /** {@code p} with symbolic links resolved as far as it exists, the rest appended. */
    private static Path realOrNormal(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        Path rest = abs.getFileSystem().getPath("");
        while (existing != null) {
            try {
                return existing.toRealPath().resolve(rest).normalize();
            } catch (IOException e) {
                if (existing.getFileName() == null) break;
                rest = existing.getFileName().resolve(rest);
                existing = existing.getParent();
            }
        }
        return abs;
    }

    private void read(byte[] bytes, Instant now) {
        String text = HardenedYaml.text(bytes, "(bundle)", this::error);
        if (text == null) return;
        Node node = HardenedYaml.compose(text, this::error);
        if (!errors.isEmpty()) return;
        if (!(node instanceof MappingNode m)) {
            error(node == null ? 0 : line(node), "(bundle)", "the bundle must be a mapping of keys to values");
            return;
        }
        root = m;
        Map<String, NodeTuple> top = entries(root, "");
        for (Map.Entry<String, NodeTuple> e : top.entrySet()) {
            if (!TOP_KEYS.contains(e.getKey())) error(line(e.getValue().getKeyNode()), e.getKey(), "unknown key");
        }
        version = readVersion(top.get("bundle_version"));
        gatewayId = readGatewayId(top.get("gateway_id"));
        readCa(top.get(CA_CERTIFICATES), now);
        readSigningKey(top.get("signing_key"));
        NodeTuple broker = top.get(BROKER);
        if (broker == null) {
            error(line(root), BROKER, "required key is missing");
        } else if (!(broker.getValueNode() instanceof MappingNode bm)) {
            error(line(broker.getValueNode()), BROKER, "expected a mapping");
        } else {
            Map<String, NodeTuple> b = entries(bm, BROKER);
            for (String k : List.of(UplinkKeys.TLS.local(), UplinkKeys.TOPIC_PREFIX.local())) {
                if (b.containsKey(k)) error(line(b.get(k).getKeyNode()), "broker." + k,
                        k.equals(UplinkKeys.TLS.local()) ? "set by the gateway: give the CA in ca_certificates; the client certificate is the gateway's own"
                                : "give topic_prefix at the top level of the bundle");
            }
        }
    }

    private long readVersion(NodeTuple t) {
        if (t == null) {
            error(line(root), "bundle_version", "required key is missing");
            return 0;
        }
        if (t.getValueNode() instanceof ScalarNode s) {
            try {
                long v = Long.parseLong(s.getValue().trim());
                if (v >= 1) return v;
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        error(line(t.getValueNode()), "bundle_version", "must be a whole number from 1 to " + Long.MAX_VALUE);
        return 0;
    }

    private String readGatewayId(NodeTuple t) {
        if (t == null) return null;
        if (t.getValueNode() instanceof ScalarNode s && GatewayConfig.ID.matcher(s.getValue()).matches()) return s.getValue();
        error(line(t.getValueNode()), "gateway_id", "must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        return null;
    }

    private void readSigningKey(NodeTuple t) {
        if (t == null) return;
        if (t.getValueNode() instanceof ScalarNode s) {
            try {
                signingKey = SigningKeyPin.parse(s.getValue());
                return;
            } catch (ProvisioningException e) {
                // reported below
            }
        }
        error(line(t.getValueNode()), "signing_key", "expected an Ed25519 public key, PEM ('PUBLIC KEY' block, use a '|' block)");
    }

    private void readCa(NodeTuple t, Instant now) {
        if (t == null) {
            error(line(root), CA_CERTIFICATES, "required key is missing (the utility CA certificate(s), PEM)");
            return;
        }
        if (!(t.getValueNode() instanceof ScalarNode s)) {
            error(line(t.getValueNode()), CA_CERTIFICATES, "expected PEM text (use a '|' block)");
            return;
        }
        int at = line(t.getValueNode());
        try {
            List<X509Certificate> certs = Pem.certificates(s.getValue());
            if (certs.isEmpty()) {
                error(at, CA_CERTIFICATES, "no PEM CERTIFICATE block found");
                return;
            }
            for (int i = 0; i < certs.size(); i++) {
                X509Certificate c = certs.get(i);
                String which = "certificate " + (i + 1) + " (" + c.getSubjectX500Principal().getName() + ")";
                if (c.getBasicConstraints() < 0) error(at, CA_CERTIFICATES, which + " is not a CA certificate");
                if (c.getNotAfter().before(Date.from(now))) error(at, CA_CERTIFICATES, which + " expired on " + c.getNotAfter().toInstant());
            }
            caCertificates = certs;
            caPem = Pem.encodeCertificates(certs);
        } catch (CertificateException e) {
            error(at, CA_CERTIFICATES, "not a valid PEM X.509 certificate");
        }
    }

    /**
     * The gateway configuration for this bundle, as YAML text. Call only when {@link #errors()} is
     * empty. Schedule errors (unknown schedule, clashing keys) are added to {@link #errors()}.
     */
    String toConfigYaml(String id, Path stateDir, Path caFile, Path certFile, Path keyFile) {
        Map<String, NodeTuple> top = entries(root, "");
        List<NodeTuple> out = new ArrayList<>();
        out.add(tuple(GatewayKeys.GATEWAY_ID.name(), str(id)));
        out.add(tuple(GatewayKeys.STATE_DIR.name(), str(stateDir.toString())));
        String buffer = GatewayKeys.BUFFER.name();
        if (top.containsKey(buffer)) out.add(tuple(buffer, top.get(buffer).getValueNode()));

        MappingNode broker = (MappingNode) top.get(BROKER).getValueNode();
        List<NodeTuple> uplink = new ArrayList<>(broker.getValue());
        Map<String, NodeTuple> b = entries(broker, BROKER);
        boolean passwordAuth = b.containsKey(UplinkKeys.USERNAME.local()) || b.containsKey(UplinkKeys.PASSWORD.local());
        String prefix = UplinkKeys.TOPIC_PREFIX.local();
        if (top.containsKey(prefix)) uplink.add(tuple(prefix, top.get(prefix).getValueNode()));
        List<NodeTuple> tls = new ArrayList<>();
        tls.add(tuple(UplinkKeys.CA_FILE.local(), str(caFile.toString())));
        if (!passwordAuth) {
            tls.add(tuple(UplinkKeys.CERT_FILE.local(), str(certFile.toString())));
            tls.add(tuple(UplinkKeys.KEY_FILE.local(), str(keyFile.toString())));
        }
        uplink.add(tuple(UplinkKeys.TLS.local(), map(tls)));
        out.add(tuple(GatewayKeys.UPLINK.name(), map(uplink)));

        Map<String, MappingNode> schedules = readSchedules(top.get("schedules"));
        NodeTuple sources = top.get(GatewayKeys.SOURCES.local());
        if (sources != null) {
            if (sources.getValueNode() instanceof SequenceNode seq) {
                List<Node> items = new ArrayList<>();
                for (int i = 0; i < seq.getValue().size(); i++) items.add(withSchedule(i, seq.getValue().get(i), schedules));
                out.add(tuple(GatewayKeys.SOURCES.local(), new SequenceNode(Tag.SEQ, items, DumperOptions.FlowStyle.BLOCK)));
            } else {
                out.add(sources); // ConfigLoader reports the wrong type, at this key
            }
        }
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        dump.setSplitLines(false);
        StringWriter w = new StringWriter();
        w.write("# Generated by 'meterlink provision apply' from bundle version " + version + ". Do not edit: apply a new bundle.\n");
        new Yaml(dump).serialize(map(out), w);
        return w.toString();
    }

    private Map<String, MappingNode> readSchedules(NodeTuple t) {
        Map<String, MappingNode> out = new LinkedHashMap<>();
        if (t == null) return out;
        if (!(t.getValueNode() instanceof MappingNode m)) {
            error(line(t.getValueNode()), "schedules", "expected a mapping of schedule names to settings");
            return out;
        }
        for (Map.Entry<String, NodeTuple> e : entries(m, "schedules").entrySet()) {
            if (e.getValue().getValueNode() instanceof MappingNode sm) {
                out.put(e.getKey(), sm);
            } else {
                error(line(e.getValue().getValueNode()), "schedules." + e.getKey(), "expected a mapping such as {poll_interval: 15m, expected_interval: 15m}");
            }
        }
        return out;
    }

    private Node withSchedule(int index, Node item, Map<String, MappingNode> schedules) {
        if (!(item instanceof MappingNode m)) return item; // ConfigLoader reports it
        Map<String, NodeTuple> keys = entries(m, "sources[" + index + "]");
        NodeTuple ref = keys.get("schedule");
        if (ref == null) return item;
        List<NodeTuple> merged = new ArrayList<>();
        for (NodeTuple t : m.getValue()) if (t != ref) merged.add(t);
        String sched = ref.getValueNode() instanceof ScalarNode s ? s.getValue() : null;
        MappingNode settings = sched == null ? null : schedules.get(sched);
        if (settings == null) {
            error(line(ref.getValueNode()), "sources[" + index + "].schedule", "unknown schedule"
                    + (schedules.isEmpty() ? " (the bundle has no schedules)" : "; known: " + String.join(", ", schedules.keySet())));
            return item;
        }
        for (Map.Entry<String, NodeTuple> e : entries(settings, "schedules." + sched).entrySet()) {
            if (keys.containsKey(e.getKey())) {
                error(line(keys.get(e.getKey()).getKeyNode()), "sources[" + index + "]." + e.getKey(),
                        "also set by schedule '" + sched + "': give it in one place");
                continue;
            }
            merged.add(e.getValue());
            fromSchedule.computeIfAbsent(index, k -> new HashMap<>()).put(e.getKey(), sched);
        }
        return map(merged);
    }

    /**
     * An error of the generated configuration, re-expressed with the bundle's key and line: the
     * {@code uplink} section ({@link UplinkKeys}) is the bundle's {@code broker}, except its
     * {@code topic_prefix} (at the bundle's top level) and its {@code tls} files (made from
     * {@code ca_certificates} and the gateway's own certificate); keys a schedule gave a source are
     * blamed on the schedule.
     */
    ConfigError translate(ConfigError e) {
        String key = e.key();
        String uplink = UplinkKeys.GROUP.prefix();
        if (key.equals(uplink + "." + UplinkKeys.TOPIC_PREFIX.name())) key = UplinkKeys.TOPIC_PREFIX.name();
        else if (key.startsWith(uplink + "." + UplinkKeys.TLS.name())) key = CA_CERTIFICATES;
        else if (key.equals(uplink)) key = BROKER;
        else if (key.startsWith(uplink + ".")) key = BROKER + key.substring(uplink.length());
        else if (key.equals(GatewayKeys.STATE_DIR.name()) || key.equals(GatewayKeys.GATEWAY_ID.name())) key = "(gateway) " + key;
        Matcher m = SOURCE_KEY.matcher(key);
        if (m.matches()) {
            String sched = fromSchedule.getOrDefault(Integer.parseInt(m.group(1)), Map.of()).get(m.group(2));
            if (sched != null) key = "schedules." + sched + "." + m.group(2) + m.group(3);
        }
        return new ConfigError(name, lineOf(key), key, e.message());
    }

    /** Line of the deepest existing node along a dotted key path such as {@code sources[1].meters[0].key}. */
    int lineOf(String key) {
        if (root == null) return 0;
        Node node = root;
        int best = line(root);
        for (String part : key.split("\\.")) {
            Matcher m = Pattern.compile("([^\\[]*)((?:\\[\\d+])*)").matcher(part);
            if (!m.matches()) break;
            if (!(node instanceof MappingNode map)) break;
            NodeTuple t = entries(map, null).get(m.group(1));
            if (t == null) break;
            best = line(t.getKeyNode());
            node = t.getValueNode();
            Matcher idx = Pattern.compile("\\[(\\d+)]").matcher(m.group(2));
            while (idx.find()) {
                int i = Integer.parseInt(idx.group(1));
                if (!(node instanceof SequenceNode seq) || i >= seq.getValue().size()) return best;
                node = seq.getValue().get(i);
                best = line(node);
            }
        }
        return best;
    }

    /** The mapping's entries by key (merge keys and non-scalar keys were refused by {@link HardenedYaml}). */
    private static Map<String, NodeTuple> entries(MappingNode m, String path) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && !Tag.MERGE.equals(k.getTag())) out.putIfAbsent(k.getValue(), t);
        }
        return out;
    }

    private void error(int line, String key, String message) {
        errors.add(new ConfigError(name, line, key, message));
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    private static NodeTuple tuple(String key, Node value) {
        return new NodeTuple(str(key), value);
    }

    private static ScalarNode str(String value) {
        return new ScalarNode(Tag.STR, value, null, null, DumperOptions.ScalarStyle.PLAIN);
    }

    private static MappingNode map(List<NodeTuple> tuples) {
        return new MappingNode(Tag.MAP, tuples, DumperOptions.FlowStyle.BLOCK);
    }
}
