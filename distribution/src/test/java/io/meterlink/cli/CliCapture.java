package io.meterlink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code meterlink} in-process with fake services and keeps what it printed; JSON lines parsed. */
final class CliCapture {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final ObjectMapper mapper = new ObjectMapper();

    int run(String... args) {
        return Main.commandLine(new MainTest.FakeServices(), new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    /** Every non-blank line of stdout as JSON. */
    List<JsonNode> lines() throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.toString().split("\n")) if (!l.isBlank()) nodes.add(mapper.readTree(l));
        return nodes;
    }
}
