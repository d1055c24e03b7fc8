package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Fixtures;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MeZO against PyTorch, on every MeZO fixture found ({@link Fixtures#mezoDirs()}: the fixture root's
 * {@code opt/mezo_reference.json}, and the committed ones under {@code fixtures/}, e.g. post-LN OPT with
 * project_in/out and other ε, lr and seeds).
 *
 * <p>What is exact and what is not. The parameter arithmetic (z from the seeds, ±εz and the restore, g from the
 * losses, the update) reproduces PyTorch bit for bit: driven by the reference's projected gradients, the final
 * parameters equal the fixture's in every bit, through {@link MezoReference} and through the ZO2 engine. The losses
 * are asserted at the bound measured, one float32 ulp ({@link #LOSS_BOUND_REASON}): on bit-identical parameters and
 * inputs the forwards first differ inside library kernels (tools/fixtures/mezo_forward_diff.sh, docs/zo2.md). Since
 * 1/(2ε) magnifies one ulp of a loss into g, the trajectory is compared step by step with the reference's g (teacher
 * forcing) rather than left to drift.
 */
class MezoFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Path> fixtures() { return Fixtures.mezoDirs(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void reproducesTheReferenceTrajectory(Path dir) throws IOException {
        JsonNode ref = JSON.readTree(dir.resolve("mezo_reference.json").toFile());
        try (CausalLM model = Models.loadCausalLM(dir, Device.CPU); Scope s = Scope.open()) {
            List<String> order = new ArrayList<>();
            ref.get("param_order").forEach(n -> order.add(n.asText()));
            assertEquals(order, model.parameterNames(), dir + ": parameter order must be HF named_parameters()");
            assertFirstZ(ref, model);

            LmBatch batch = batch(ref);
            ZoHyperparameters hp = new ZoHyperparameters(ref.get("eps").asDouble(), ref.get("lr").asDouble(),
                    ref.get("weight_decay").asDouble(), 0);
            MezoReference<LmBatch> mezo = new MezoReference<>(model, new CausalLmObjective(), hp);
            assertWithinUlp(ref.get("initial_loss").asDouble(), mezo.loss(batch), dir + ": initial loss");
            for (int i = 0; i < ref.get("steps").size(); i++) {
                JsonNode st = ref.get("steps").get(i);
                long seed = st.get("seed").asLong();
                double wantPlus = st.get("loss_plus").asDouble(), wantMinus = st.get("loss_minus").asDouble();
                double wantG = st.get("projected_grad").asDouble();
                PerturbedLosses l = mezo.perturbedLosses(seed, batch);
                System.out.printf("%s step %d: |Δloss+| %.3g |Δloss-| %.3g (float32 ulp %.3g)%n", dir.getFileName(), i,
                        Math.abs(l.lossPlus() - wantPlus), Math.abs(l.lossMinus() - wantMinus), ulp(wantPlus));
                assertWithinUlp(wantPlus, l.lossPlus(), dir + ": loss+ of step " + i);
                assertWithinUlp(wantMinus, l.lossMinus(), dir + ": loss- of step " + i);
                // the reference's g is frugal's formula applied to the reference's losses, bit for bit
                assertEquals(wantG, MezoReference.projectedGradient(wantPlus, wantMinus, hp.eps()), 0.0,
                        dir + ": g of step " + i + " from the reference losses");
                mezo.update(seed, wantG);
            }
            assertWithinUlp(ref.get("final_loss").asDouble(), mezo.loss(batch), dir + ": final loss");
            Map<String, float[]> params = new TreeMap<>();
            for (String n : model.parameterNames()) params.put(n, model.parameter(n).toFloatArray());
            assertFinalParametersExact(dir, params, "MezoReference");
        }
    }

    /** The ZO2 engine (in-memory and host tier) driven by the reference's g ends on the fixture's bits too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void zo2EngineEndsOnTheReferenceParameters(Path dir) throws IOException {
        JsonNode ref = JSON.readTree(dir.resolve("mezo_reference.json").toFile());
        ZoHyperparameters hp = new ZoHyperparameters(ref.get("eps").asDouble(), ref.get("lr").asDouble(),
                ref.get("weight_decay").asDouble(), 0);
        for (OffloadConfig offload : List.of(OffloadConfig.inMemory(), OffloadConfig.host(1, dev.frugal.tensor.DType.F32))) {
            try (CausalLM model = Models.loadCausalLM(dir, Device.CPU); Scope s = Scope.open();
                 Zo2Engine<LmBatch> engine = new Zo2Engine<>(model, new CausalLmObjective(), hp, offload)) {
                LmBatch batch = batch(ref);
                for (int i = 0; i < ref.get("steps").size(); i++) {
                    JsonNode st = ref.get("steps").get(i);
                    long seed = st.get("seed").asLong();
                    PerturbedLosses l = engine.perturbedLosses(i, seed, batch, PerturbedSides.BOTH);
                    assertWithinUlp(st.get("loss_plus").asDouble(), l.lossPlus(), dir + " ZO2: loss+ of step " + i);
                    assertWithinUlp(st.get("loss_minus").asDouble(), l.lossMinus(), dir + " ZO2: loss- of step " + i);
                    engine.defer(seed, st.get("projected_grad").asDouble(), hp.lr());
                }
                Map<String, float[]> params = new TreeMap<>();
                engine.forEachBlock((i, w) -> w.forEach((n, t) -> params.put(n, t.toFloatArray()))); // flushes first
                for (String n : model.parameterNames()) if (!params.containsKey(n)) params.put(n, model.parameter(n).toFloatArray());
                assertFinalParametersExact(dir, params, "ZO2 " + offload.tier());
            }
        }
    }

    /** libtorch's CPU generator from Java gives the reference's first z values (its compatibility check). */
    private static void assertFirstZ(JsonNode ref, CausalLM model) {
        Rng rng = Rng.seeded("check", ref.get("seeds").get(0).asLong());
        Tensor p0 = model.parameter(ref.get("first_z").get("param").asText());
        float[] z = Tensors.randn(rng, p0.shape()).toFloatArray();
        JsonNode first = ref.get("first_z").get("first16");
        for (int i = 0; i < first.size(); i++) assertEquals(first.get(i).asDouble(), z[i], 0.0, "z[" + i + "]");
    }

    /** The fixture's batch ({@code input_ids} of mezo_reference.json). */
    static LmBatch batch(JsonNode ref) {
        long[][] ids = new long[ref.get("input_ids").size()][];
        for (int i = 0; i < ids.length; i++) {
            JsonNode row = ref.get("input_ids").get(i);
            ids[i] = new long[row.size()];
            for (int j = 0; j < row.size(); j++) ids[i][j] = row.get(j).asLong();
        }
        return LmBatch.of(Tensors.fromLongs(ids), null);
    }

    private static double ulp(double loss) { return Math.ulp((float) loss); }

    /** Why the losses are bounded at one ulp and not asserted equal (measured, docs/zo2.md "MeZO exactness"). */
    static final String LOSS_BOUND_REASON = "the bound measured is one float32 ulp, not 0: on bit-identical parameters"
            + " and inputs libtorch 2.10's softmax, LayerNorm and log-softmax kernels differ from torch 1.13's (1-4 ulps"
            + " of some values; every GEMM there is bit-identical), SDPA is not eager attention, and OpenBLAS with 2"
            + " threads rounds fc1 differently from 1 thread; see tools/fixtures/mezo_forward_diff.sh";

    /** Two float32 forwards of the same parameters: equal, or one float32 ulp apart. */
    private static void assertWithinUlp(double want, double got, String what) {
        assertTrue(Math.abs(got - want) <= ulp(want), what + ": " + got + " vs PyTorch " + want + " (|Δ| "
                + Math.abs(got - want) + ", one float32 ulp " + ulp(want) + "; " + LOSS_BOUND_REASON + ")");
    }

    /** Every final parameter equal to the fixture's in every bit. */
    private static void assertFinalParametersExact(Path dir, Map<String, float[]> params, String engine) {
        try (SafetensorsFile fin = SafetensorsFile.open(dir.resolve("mezo_final_params.safetensors")); Scope s = Scope.open()) {
            assertEquals(params.keySet(), new TreeSet<>(fin.names()), dir + ": final parameter names");
            long differ = 0, total = 0;
            double worst = 0;
            for (String n : fin.names()) {
                float[] got = params.get(n), want = fin.tensor(n).toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) differ++;
                    worst = Math.max(worst, Math.abs((double) got[i] - want[i]));
                }
                total += got.length;
            }
            System.out.printf("%s %s: final parameters, %d of %d values differ from PyTorch (max |Δ| %.3g)%n",
                    dir.getFileName(), engine, differ, total, worst);
            assertEquals(0, differ, dir + " " + engine + ": final parameters must equal PyTorch's bit for bit"
                    + " (max |Δ| " + worst + ")");
        }
    }
}
