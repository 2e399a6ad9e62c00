package io.meterlink.drivers.mbus;

import io.meterlink.drivers.testing.TestData;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads libmbus's test frames and their normalized expected decoding from the shared test data. */
final class LibmbusFrames {
    private LibmbusFrames() {}

    static Path dir(String sub) { return TestData.folder("libmbus").resolve(sub); }

    static List<Path> hexFiles(String sub) throws IOException {
        try (Stream<Path> s = Files.list(dir(sub))) {
            return s.filter(p -> p.toString().endsWith(".hex")).sorted().toList();
        }
    }

    static byte[] frame(Path hex) throws IOException {
        String text = Files.readString(hex, StandardCharsets.US_ASCII).trim();
        return io.meterlink.drivers.testing.Hex.bytes(text);
    }

    /** One DataRecord of a .norm.xml, as field name → text (Function, StorageNumber, Tariff, Device, Unit, Quantity, Value). */
    static List<Map<String, String>> expectedRecords(Path hex) throws Exception {
        Path xml = Path.of(hex.toString().replace(".hex", ".norm.xml"));
        // declared ISO-8859-1, really UTF-8 (see libmbus/README.md)
        String text = new String(Files.readAllBytes(xml), StandardCharsets.UTF_8).replaceFirst("encoding=\"[^\"]*\"", "");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(text)));
        NodeList nodes = doc.getElementsByTagName("DataRecord");
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            Map<String, String> m = new HashMap<>();
            NodeList children = e.getChildNodes();
            for (int j = 0; j < children.getLength(); j++) {
                if (children.item(j) instanceof Element c) m.put(c.getTagName(), c.getTextContent());
            }
            out.add(m);
        }
        return out;
    }

    static Map<String, String> slaveInformation(Path hex) throws Exception {
        Path xml = Path.of(hex.toString().replace(".hex", ".norm.xml"));
        String text = new String(Files.readAllBytes(xml), StandardCharsets.UTF_8).replaceFirst("encoding=\"[^\"]*\"", "");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(text)));
        Element si = (Element) doc.getElementsByTagName("SlaveInformation").item(0);
        Map<String, String> m = new HashMap<>();
        NodeList children = si.getChildNodes();
        for (int j = 0; j < children.getLength(); j++) {
            if (children.item(j) instanceof Element c) m.put(c.getTagName(), c.getTextContent());
        }
        return m;
    }
}
