package dev.frugal.dp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import dev.frugal.model.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks every clipping algorithm against PyTorch's per-sample gradients of the tiny GPT-2
 * ({@code gpt2/per_sample_reference.safetensors}, fixtures README): per-parameter norms, per-layer clipped sums
 * (C = 1 per parameter tensor) and flat clipped sums (C = 1), relative error ≤ 1e-5 (measured ≤ 1.1e-6 on the shared
 * fixture, 2.1e-6 on the variant set's GPT-2). The tied {@code wte} exercises the
 * cross term between the embedding and the LM head.
 */
class PerSampleOracleTest {
    private static final double TOL = 1e-5;
    private static CausalLM model;
    private static SafetensorsFile ref;

    @BeforeAll
    static void load() {
        model = Models.loadCausalLM(Fixtures.dir("gpt2"), Device.CPU);
        ref = SafetensorsFile.open(Fixtures.file("gpt2", "per_sample_reference.safetensors"));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
        if (ref != null) ref.close();
    }

    private static double relErr(Tensor got, Tensor want) {
        double d = got.sub(want).norm().itemDouble(), n = want.norm().itemDouble();
        return d / Math.max(n, 1e-12);
    }

    private static ClippedGradients run(ClippingConfig cfg) {
        LinkedHashMap<String, Tensor> params = model.namedParameters();
        DpEngine engine = new DpEngine(params, cfg);
        Tensor ids = ref.tensor("input_ids");
        try (DpStep step = engine.begin(ids.size(0))) {
            return step.backward(LmLoss.perSample(model, ids, step));
        }
    }

    @ParameterizedTest
    @EnumSource(ClippingAlgorithm.class)
    void perLayerNormsAndSums(ClippingAlgorithm algorithm) {
        try (Scope s = Scope.open()) {
            List<String> names = model.parameterNames();
            ClippingConfig cfg = ClippingConfig.perLayer(1.0).withEveryLayerBound(names, 1.0).withAlgorithm(algorithm);
            try (ClippedGradients g = run(cfg)) {
                List<String> bad = new ArrayList<>();
                double worst = 0;
                for (String n : names) {
                    double en = relErr(g.norms(n), ref.tensor("norm/" + n));
                    double es = relErr(g.sum(n), ref.tensor("layer_clipped_sum/" + n));
                    worst = Math.max(worst, Math.max(en, es));
                    if (en > TOL || es > TOL) bad.add(n + " norm " + en + " sum " + es);
                }
                System.out.printf("oracle per-layer %s: worst relative error %.3g over %d tensors%n", algorithm, worst,
                        names.size());
                assertTrue(bad.isEmpty(), "relative error > " + TOL + ": " + bad);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClippingAlgorithm.class)
    void flatSums(ClippingAlgorithm algorithm) {
        try (Scope s = Scope.open()) {
            try (ClippedGradients g = run(ClippingConfig.flat(1.0).withAlgorithm(algorithm))) {
                double en = relErr(g.flatNorms(), ref.tensor("flat_norms"));
                List<String> bad = new ArrayList<>();
                double worst = en;
                for (String n : model.parameterNames()) {
                    double es = relErr(g.sum(n), ref.tensor("flat_clipped_sum/" + n));
                    worst = Math.max(worst, es);
                    if (es > TOL) bad.add(n + " " + es);
                }
                System.out.printf("oracle flat %s: flat-norm error %.3g, worst %.3g%n", algorithm, en, worst);
                assertTrue(en <= TOL, "flat norms relative error " + en);
                assertTrue(bad.isEmpty(), "relative error > " + TOL + ": " + bad);
            }
        }
    }
}
