package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.interp.CircuitReport;
import dev.frugal.interp.PlantedModel;
import dev.frugal.model.HfConfig;
import dev.frugal.model.Models;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code frugal acdc} run standalone, with a temporary {@code FRUGAL_HOME} for the built-in models. */
class AcdcCommandTest extends TempHomeCliTest {
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

    /** Each decoder architecture among the fixtures (found by listing the roots) runs; a post-LN OPT is refused, exit 2. */
    @Test
    void everyDecoderArchitectureRunsAndPostLnOptIsRefused() throws Exception {
        Path root = Path.of(System.getProperty("frugal.fixtures", "../../shared/fixtures/hf-tiny"));
        Path variants = Path.of(System.getProperty("frugal.fixtures.variants", "../fixtures/hf-variants"));
        assertTrue(Files.isDirectory(root) && Files.isDirectory(variants), "fixture roots missing: " + root + ", " + variants);
        java.util.Set<String> seen = new java.util.TreeSet<>();
        boolean refused = false;
        for (Path base : java.util.List.of(root, variants)) {
            try (var dirs = Files.list(base)) {
                for (Path d : dirs.sorted().toList()) {
                    if (!Files.isRegularFile(d.resolve("config.json"))) continue;
                    HfConfig c = HfConfig.read(d);
                    if (!Models.DECODER_TYPES.contains(c.modelType())) continue;
                    boolean postLn = c.modelType().equals("opt") && !c.optBool("do_layer_norm_before", true);
                    if (!postLn && seen.contains(c.modelType())) continue; // one run per architecture
                    StringWriter o = new StringWriter(), e = new StringWriter();
                    Path dest = out.resolve(d.getFileName());
                    if (postLn) { // through frugal's own error handling: exit 2, one line, nothing written
                        FrugalCommandTest.Run r = FrugalCommandTest.frugal("acdc", "--model", d.toString(),
                                "--threshold", "0.1", "--batch", "2", "--out", dest.toString());
                        FrugalCommandTest.assertUserError(r, "post-LN OPT (do_layer_norm_before: false)");
                        assertTrue(r.errLines().get(0).contains("--model " + d), r.describe());
                        assertTrue(!Files.exists(dest.resolve("circuit.json")), "a refused run must write nothing");
                        // PAHQ loads a model directory without its blocks: the same refusal, before anything runs
                        FrugalCommandTest.Run rp = FrugalCommandTest.frugal("acdc", "--model", d.toString(),
                                "--threshold", "0.1", "--batch", "2", "--precision", "pahq", "--out", dest.toString());
                        FrugalCommandTest.assertUserError(rp, "post-LN OPT (do_layer_norm_before: false)");
                        assertTrue(rp.errLines().get(0).contains("--model " + d), rp.describe());
                        assertTrue(!Files.exists(dest.resolve("circuit.json")), "a refused run must write nothing");
                        refused = true;
                        continue;
                    }
                    int rc = run(o, e, "--model", d.toString(), "--threshold", "0.1", "--batch", "2", "--out", dest.toString());
                    assertEquals(0, rc, d + ": " + e);
                    assertTrue(Files.isRegularFile(dest.resolve("circuit.json")), d + " wrote no circuit");
                    // PAHQ over the directory, loaded without its blocks (StreamedPahqTest: the whole model's circuit)
                    Path pahq = out.resolve(d.getFileName() + "-pahq");
                    StringWriter po = new StringWriter(), pe = new StringWriter();
                    assertEquals(0, run(po, pe, "--model", d.toString(), "--threshold", "0.1", "--batch", "2",
                            "--precision", "pahq", "--out", pahq.toString()), d + " (pahq): " + pe);
                    assertTrue(Files.readString(pahq.resolve("circuit.json")).contains("\"int8\""), d + ": the PAHQ circuit"
                            + " does not say int8: " + Files.readString(pahq.resolve("circuit.json")).lines().limit(5).toList());
                    seen.add(c.modelType());
                }
            }
        }
        System.out.println("frugal acdc ran on " + seen + (refused ? "; refused a post-LN OPT" : ""));
        assertTrue(!seen.isEmpty(), "no pre-LN decoder fixture under " + root + " or " + variants);
        assertTrue(refused, "no post-LN OPT under " + root + " or " + variants + " (the committed variants hold one)");
    }

    /**
     * The global {@code --device} reaches the model loader, as for {@code zo train}: {@code --device cpu} runs on the
     * CPU; {@code --device cuda} runs there when libtorch sees a GPU, and is otherwise one line naming {@code --device},
     * exit 2 (before this, acdc ignored the option and loaded on the CPU). The built-in models stay on the CPU.
     */
    @Test
    void theGlobalDeviceReachesTheLoader() {
        String opt = dev.frugal.model.Fixtures.dir("gpt2").toString(); // always pre-LN (an OPT fixture may be post-LN, refused)
        FrugalCommandTest.Run cpu = FrugalCommandTest.frugal("--threads", "1", "--device", "cpu", "acdc", "--model", opt,
                "--threshold", "0.1", "--batch", "2", "--out", out.resolve("cpu").toString());
        assertEquals(0, cpu.code(), cpu.describe());
        assertTrue(Files.isRegularFile(out.resolve("cpu").resolve("circuit.json")), cpu.describe());
        FrugalCommandTest.Run cuda = FrugalCommandTest.frugal("--threads", "1", "--device", "cuda", "acdc", "--model", opt,
                "--threshold", "0.1", "--batch", "2", "--out", out.resolve("cuda").toString());
        if (dev.frugal.tensor.Backend.cudaDeviceCount() == 0) {
            FrugalCommandTest.assertUserError(cuda, "--device cuda:0 is requested but libtorch sees no CUDA device");
            assertTrue(!Files.exists(out.resolve("cuda").resolve("circuit.json")), cuda.describe());
        } else {
            assertEquals(0, cuda.code(), cuda.describe());
            FrugalCommandTest.Run pahq = FrugalCommandTest.frugal("--device", "cuda", "acdc", "--model", opt,
                    "--threshold", "0.1", "--batch", "2", "--precision", "pahq", "--out", out.resolve("pahq").toString());
            FrugalCommandTest.assertUserError(pahq, "--precision int8 (PAHQ) runs on the CPU only");
            FrugalCommandTest.Run builtIn = FrugalCommandTest.frugal("--device", "cuda", "acdc", "--model", "planted",
                    "--threshold", "0.1", "--out", out.resolve("planted").toString());
            FrugalCommandTest.assertUserError(builtIn, "--model planted is a built-in model, which runs on the CPU only");
        }
    }

    /** A threshold the library refuses ({@code InvalidSettingException}) is one line naming {@code --threshold}. */
    @Test
    void refusedThresholdIsOneLineNamingTheFlag() {
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("acdc", "--model", "planted", "--threshold", "-1",
                "--out", out.toString()), "--threshold (τ) must be a finite number ≥ 0, got -1.0");
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("acdc", "--model", "planted", "--threshold", "Infinity",
                "--out", out.toString()), "--threshold (τ) must be a finite number ≥ 0");
    }

    @Test
    void badPrecisionIsAUsageError() {
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(2, run(o, e, "--model", "planted", "--threshold", "0.1", "--precision", "fp8", "--out", out.toString()));
        assertTrue(e.toString().contains("fp32, pahq"), e.toString());
    }

    @Test
    void anUnknownBenchSizeIsRefusedBeforeAnythingRuns() {
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("bench", "acdc", "--size", "gpt2-xl"),
                "--size must be one of small, gpt2-small, got gpt2-xl");
    }
}
