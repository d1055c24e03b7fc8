package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frugal bench zo --quick} on two frugal modes (each a fresh worker JVM; the Python peer is left out), and the
 * summary's ratios from known figures.
 */
class BenchZoCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void quickBenchPrintsTheSummaryObjectLast() throws Exception {
        Path json = tmp.resolve("bench.jsonl");
        // three of the modes, one step each, to keep the suite fast (each mode is a JVM start and a libtorch load)
        CommandRun run = CommandRun.of(new BenchZoCommand(), "--quick", "--steps", "1", "--warmup", "0", "--modes",
                "inmem,inmem_parallel,disk_bf16", "--json", json.toString(), "--work-dir", tmp.resolve("w").toString());
        assertEquals(0, run.exit(), run.printed());
        List<String> lines = run.printed().lines().filter(l -> !l.isBlank()).toList();
        JsonNode s = JSON.readTree(lines.get(lines.size() - 1));
        assertEquals("zo", s.get("bench").asText());
        for (String k : List.of("inmem", "inmem_parallel", "disk_bf16")) {
            assertTrue(s.get("step_s").get(k).asDouble() > 0, k + ": " + s);
            assertTrue(s.get("peak_rss_mb").get(k).asDouble() > 0, k + ": " + s);
        }
        assertTrue(s.get("step_s").get("mezo_torch").isNull());
        assertTrue(s.get("ratio_disk_vs_inmem").asDouble() > 0);
        assertTrue(s.get("fwd2_s").asDouble() > 0);
        assertTrue(s.get("fwd2_parallel_s").asDouble() > 0);
        assertTrue(s.get("perturb_overhead_parallel").isNumber(), s.toString());
        for (String k : BenchZoSummary.GOALS.keySet()) assertTrue(s.has(k), "missing " + k);
        List<String> written = Files.readAllLines(json);
        assertEquals(4, written.size(), "three modes and the summary");
        assertEquals("parallel", JSON.readTree(written.get(1)).get("rng").asText());
        assertEquals("mezo", JSON.readTree(written.get(0)).get("rng").asText());
        assertEquals(s, JSON.readTree(written.get(3)));
        assertFalse(run.printed().contains("FAILED"), run.printed());
    }

    /**
     * The device bench (ZO2's GPU setting) run on the CPU: bf16 compute, the three modes each in a fresh JVM, and the
     * same trajectory in all of them (MeZO's arithmetic in 16 bits, on the device's generator).
     */
    @Test
    void deviceBenchRunsItsThreeModesOnTheSameTrajectory() throws Exception {
        Path json = tmp.resolve("device.jsonl");
        CommandRun run = CommandRun.of(new FrugalCommand(), "--device", "cpu", "bench", "zo", "--quick", "--steps", "2",
                "--warmup", "0", "--json", json.toString());
        assertEquals(0, run.exit(), run.printed());
        assertFalse(run.printed().contains("FAILED"), run.printed());
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String l : Files.readAllLines(json)) lines.add(JSON.readTree(l));
        assertEquals(4, lines.size(), "three modes and the summary");
        for (int i = 0; i < 3; i++) {
            JsonNode m = lines.get(i);
            assertEquals(BenchZoDevice.MODES[i], m.get("mode").asText());
            assertEquals("bf16", m.get("dtype").asText());
            assertTrue(m.get("step_s").asDouble() > 0 && m.get("tokens_per_s").asDouble() > 0, m.toString());
            assertEquals(lines.get(0).get("last_loss_plus").asDouble(), m.get("last_loss_plus").asDouble(), 0.0,
                    "mode " + m.get("mode") + " left MeZO's trajectory");
        }
        JsonNode q = lines.get(3).get("sizes").get("quick");
        assertEquals("zo_device", lines.get(3).get("bench").asText());
        assertTrue(q.get("fwd2_s").asDouble() > 0);
        long stored = lines.get(2).get("bytes_moved_per_step").asLong();
        assertEquals(2 * BenchZoShape.QUICK.config(1).numLayers() * BenchZoShape.QUICK.blockParameterCount() * 2, stored,
                "a ZO2 step moves every bf16 block up and back");
    }

    /**
     * {@code --profile}'s frugal side: the timed forward computes the plain forward's loss bit for bit, every part it
     * times is one of the parts the peer times, and the exclusive times add up to the whole forward.
     */
    @Test
    void profiledForwardIsThePlainForwardAndItsPartsAddUp() {
        BenchZoShape shape = BenchZoShape.QUICK;
        try (dev.frugal.model.opt.OptModel m = dev.frugal.model.opt.OptRandomInit.model(shape.config(1),
                BenchZoWorker.MODEL_SEED, dev.frugal.tensor.Device.CPU);
             dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open();
             dev.frugal.tensor.Rng data = dev.frugal.tensor.Rng.seeded("bench-data", 7)) {
            dev.frugal.tensor.Tensor ids = dev.frugal.tensor.Tensors.randint(0, shape.vocab(), data, shape.batch(), shape.tokens());
            double plain = BenchZoWorker.plainLoss(m, new dev.frugal.zo.CausalLmObjective(), dev.frugal.zo.LmBatch.of(ids, null));
            BenchZoProfile.forward(m, ids, new BenchZoProfile.Timer()); // warm-up: the first call loads classes untimed
            BenchZoProfile.Timer timer = new BenchZoProfile.Timer();
            long t0 = System.nanoTime();
            double profiled = BenchZoProfile.forward(m, ids, timer);
            double wholeMs = (System.nanoTime() - t0) / 1e6;
            assertEquals(plain, profiled, 0.0, "the profiled forward is the plain one");
            assertTrue(List.of(BenchZoProfile.PARTS).containsAll(timer.parts()), "parts " + timer.parts());
            for (String p : List.of("embedding", "layer_norm", "qkv_proj", "attention_core", "fc1", "fc2", "lm_head", "loss"))
                assertTrue(timer.ms(p) > 0, p + " was not timed");
            double sum = 0;
            for (String p : BenchZoProfile.PARTS) sum += timer.ms(p);
            assertTrue(sum <= wholeMs && sum >= 0.5 * wholeMs, "parts " + sum + " ms of a " + wholeMs + " ms forward");
        }
    }

    @Test
    void ratiosFollowTheIssueDefinitions() {
        Map<BenchZoMode, JsonNode> r = new EnumMap<>(BenchZoMode.class);
        r.put(BenchZoMode.INMEM, node(4.0, 1000, 3.2));
        r.put(BenchZoMode.HOST_BF16, node(4.2, 600, null));
        r.put(BenchZoMode.DISK_BF16, node(5.0, 300, null));
        r.put(BenchZoMode.DISK_BF16_X2, node(10.0, 309, null));
        r.put(BenchZoMode.MEZO_TORCH, node(8.0, 1500, null));
        ObjectNode s = BenchZoSummary.of(r);
        assertEquals(0.5, s.get("ratio_inmem_vs_mezo_torch").asDouble(), 1e-12);
        assertEquals(1.05, s.get("ratio_host_vs_inmem").asDouble(), 1e-12);
        assertEquals(1.25, s.get("ratio_disk_vs_inmem").asDouble(), 1e-12);
        assertEquals(0.6, s.get("rss_ratio_host_vs_inmem").asDouble(), 1e-12);
        assertEquals(0.3, s.get("rss_ratio_disk_vs_inmem").asDouble(), 1e-12);
        assertEquals(0.03, s.get("rss_growth_disk_x2").asDouble(), 1e-12);
        assertEquals(0.25, s.get("perturb_overhead").asDouble(), 1e-12);
        assertTrue(s.get("perturb_overhead_parallel").isNull(), "no inmem_parallel run");
        r.put(BenchZoMode.INMEM_PARALLEL, node(3.6, 1000, 3.0));
        assertEquals(0.2, BenchZoSummary.of(r).get("perturb_overhead_parallel").asDouble(), 1e-12);
        assertTrue(BenchZoSummary.of(r).get("rss_ratio_disk_parallel_vs_inmem").isNull(), "no disk_bf16_parallel run");
        r.put(BenchZoMode.DISK_BF16_PARALLEL, node(5.2, 280, null));
        r.put(BenchZoMode.HOST_BF16_PARALLEL, node(4.4, 580, null));
        assertEquals(0.28, BenchZoSummary.of(r).get("rss_ratio_disk_parallel_vs_inmem").asDouble(), 1e-12);
        assertEquals(0.58, BenchZoSummary.of(r).get("rss_ratio_host_parallel_vs_inmem").asDouble(), 1e-12);
        assertEquals(1.3, BenchZoSummary.of(r).get("ratio_disk_parallel_vs_inmem").asDouble(), 1e-12);
        r.remove(BenchZoMode.MEZO_TORCH);
        assertTrue(BenchZoSummary.of(r).get("ratio_inmem_vs_mezo_torch").isNull());
    }

    /**
     * The disk-streamed mode's worker on the quick model (the mode itself always runs OPT-6.7B's shapes): its step,
     * its bound (the largest of its measured compute, read and perturbation times) and where the step went, and the
     * summary's opt67b keys from it.
     */
    @Test
    void diskStreamedModeReportsItsStepAgainstItsBound() throws Exception {
        ObjectNode r = BenchZoWorker.runDiskStreamed(BenchZoMode.DISK_BF16_OPT67B, BenchZoShape.QUICK, 2, 1, tmp.resolve("s"));
        assertEquals("disk_bf16_opt67b", r.get("mode").asText());
        assertEquals(3, r.get("phases").size());
        for (JsonNode p : r.get("phases")) {
            double parts = p.get("perturb_s").asDouble() + p.get("compute_s").asDouble() + p.get("io_wait_s").asDouble()
                    + p.get("other_s").asDouble();
            assertEquals(p.get("step_s").asDouble(), parts, 1e-9, p.toString());
        }
        double step = r.get("step_s").asDouble(), bound = r.get("bound_s").asDouble();
        assertTrue(bound > 0 && bound <= step, r.toString());
        assertEquals(step / bound, r.get("step_vs_bound").asDouble(), 1e-12);
        assertTrue(Double.isFinite(r.get("last_loss_plus").asDouble()));
        assertTrue(r.get("steps_peak_rss_mb").asDouble() > 0, "the steps' own peak, VmHWM reset after set-up");
        long blockParams = (long) BenchZoShape.QUICK.layers() * BenchZoShape.QUICK.blockParameterCount();
        long rest = BenchZoShape.QUICK.parameterCount(1) - blockParams;
        assertEquals((blockParams * 2.0 + rest * 4.0) / 1048576, r.get("stored_mb").asDouble(), 1e-9,
                "blocks in bf16, the rest in fp32");
        r.put("peak_rss_mb", 900.0);
        ObjectNode s = BenchZoSummary.of(Map.of(BenchZoMode.DISK_BF16_OPT67B, r));
        assertEquals(step, s.get("opt67b_step_s").asDouble(), 1e-12);
        assertEquals(bound, s.get("opt67b_bound_s").asDouble(), 1e-12);
        assertEquals(900.0, s.get("opt67b_peak_rss_mb").asDouble(), 1e-12);
        assertFalse(BenchZoMode.DISK_BF16_OPT67B.inDefaultSet());
    }

    static JsonNode node(double step, double rss, Double fwd2) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step_s", step);
        o.put("peak_rss_mb", rss);
        if (fwd2 != null) o.put("fwd2_s", fwd2);
        return o;
    }
}
