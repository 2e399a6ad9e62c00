package io.meterlink.core.api.config;

import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.util.regex.Pattern;

/**
 * SnakeYAML error messages made safe to print: a message may quote text of the document (an alias
 * or anchor name, the scalar after a bad token), and the document may be a configuration or bundle
 * holding passwords and keys. What stays is the kind of problem and its context, never document text.
 * Used by every YAML loader of the project (configuration, bundles). Stateless.
 */
public final class YamlErrors {
    /** SnakeYAML problems that end with document text: kept up to that text. */
    private static final String[] ECHOING = {
        "found undefined alias", "found duplicate anchor", "found unknown escape character",
        "found unexpected character", "expected alphabetic or numeric character", "expected URI", "expected ' ', but found",
        "expected '!', but found", "could not determine a constructor for the tag", "found unknown tag",
        "found character", "expected a comment or a line break, but found",
    };
    private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"|\\S*[*&!]\\S+");

    private YamlErrors() {
    }

    /** {@code invalid YAML: <problem> (<context>)} without document text. */
    public static String describe(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "syntax error" : safe(e.getProblem());
        String context = e.getContext() == null ? "" : " (" + safe(e.getContext()) + ")";
        return "invalid YAML: " + problem + context;
    }

    /** For an unmarked {@link YAMLException} (limits such as too many aliases). */
    public static String describe(YAMLException e) {
        if (e instanceof MarkedYAMLException m) return describe(m);
        return "invalid YAML: " + (e.getMessage() == null ? "syntax error" : safe(e.getMessage()));
    }

    /** One problem or context text without anything quoted from the document. */
    static String safe(String text) {
        String t = text.strip();
        for (String prefix : ECHOING) {
            if (t.startsWith(prefix)) return prefix + " (value not shown)";
        }
        // whatever else quotes the document: drop the quoted part, keep the words around it
        String out = QUOTED.matcher(t).replaceAll("(value not shown)");
        int nl = out.indexOf('\n');
        return nl < 0 ? out : out.substring(0, nl);
    }
}
