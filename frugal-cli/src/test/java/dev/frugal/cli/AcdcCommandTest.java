package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.interp.CircuitReport;
import dev.frugal.interp.PlantedModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code frugal acdc} run standalone (the lead registers it under {@code frugal}). */
class AcdcCommandTest {
    @TempDir
    Path out;

    private int run(StringWriter o, StringWriter e, String... args) {
        CommandLine cl = new CommandLine(new AcdcCommand());
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        return cl.execute(args);
    }

    @Test
    void plantedCircuitIsWrittenAsJsonTableAndPng() throws Exception {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int rc = run(o, e, "--model", "planted", "--threshold", "0.001", "--precision", "pahq", "--out", out.toString());
        assertEquals(0, rc, e.toString());
        System.out.print(o);
        assertTrue(o.toString().contains("7 of "), o.toString());
        assertEquals(PlantedModel.TRUE_EDGES, CircuitReport.readEdges(out.resolve("circuit.json")));
        assertTrue(Files.readString(out.resolve("edges.txt")).contains("a1.0       output"));
        assertTrue(Files.readString(out.resolve("circuit.dot")).contains("\"a0.0\" -> \"a1.0\""));
        if (Files.exists(out.resolve("circuit.png"))) {
            byte[] png = Files.readAllBytes(out.resolve("circuit.png"));
            assertTrue(png.length > 100 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "not a PNG");
        } else {
            assertTrue(o.toString().contains("install Graphviz"), "without dot the command must say how to get the PNG");
        }
    }

    @Test
    void badThresholdAndPrecisionAreOneLineErrors() {
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(2, run(o, e, "--model", "planted", "--threshold", "-1", "--out", out.toString()));
        assertTrue(e.toString().contains("threshold"), e.toString());
        e.getBuffer().setLength(0);
        assertEquals(2, run(o, e, "--model", "planted", "--threshold", "0.1", "--precision", "fp8", "--out", out.toString()));
        assertTrue(e.toString().contains("fp32, pahq"), e.toString());
    }
}
