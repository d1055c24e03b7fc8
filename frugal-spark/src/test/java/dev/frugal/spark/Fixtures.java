package dev.frugal.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.TrainerState;
import dev.frugal.zo.Zo2Engine;
import dev.frugal.zo.ZoCheckpoint;
import dev.frugal.zo.ZoStep;
import dev.frugal.zo.ZoTrainer;
import dev.frugal.zo.CausalLmObjective;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OPT fixture, the single-process reference run, and comparisons of runs. */
final class Fixtures {
    private Fixtures() {}

    static Path opt() {
        return dev.frugal.model.Fixtures.dir("opt");
    }

    /** The OPT fixture's vocabulary size (token ids of random batches stay below it). */
    static int optVocab() {
        return dev.frugal.model.HfConfig.read(opt()).json().get("vocab_size").asInt();
    }

    /** The single-process ZO2 run of {@code o} on {@code data} (same checkpoint cadence); returns its history. */
    static List<ZoStep> single(DistZoOptions o, LmBatchSource data, Path ckDir) {
        try (CausalLM m = Models.loadCausalLM(Path.of(o.modelDir()), Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), o.hyperparameters(), o.offload(0))) {
            TrainerState s = new ZoTrainer<>(m, e, data, new ZoTrainer.Settings(o.steps(), 0, o.checkpointEvery(), ckDir),
                    null, null).run(ZoTrainer.fresh(o.hyperparameters(), e.offload()));
            return s.history();
        }
    }

    static Map<String, float[]> params(Path checkpoint) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(checkpoint.resolve("model.safetensors")); Scope s = Scope.open()) {
            for (String n : f.names()) out.put(n, f.tensor(n).toFloatArray());
        }
        return out;
    }

    /** Max |a − b| over all parameters. */
    static double maxParamDiff(Path a, Path b) {
        Map<String, float[]> x = params(a), y = params(b);
        assertEquals(x.keySet(), y.keySet());
        double max = 0;
        for (String n : x.keySet()) {
            float[] u = x.get(n), v = y.get(n);
            for (int i = 0; i < u.length; i++) max = Math.max(max, Math.abs((double) u[i] - v[i]));
        }
        return max;
    }

    /** Max |Δ| of loss₊ and loss₋ over the steps. */
    static double maxLossDiff(List<ZoStep> a, List<ZoStep> b) {
        assertEquals(a.size(), b.size(), "number of steps");
        double max = 0;
        for (int i = 0; i < a.size(); i++) {
            max = Math.max(max, Math.abs(a.get(i).lossPlus() - b.get(i).lossPlus()));
            max = Math.max(max, Math.abs(a.get(i).lossMinus() - b.get(i).lossMinus()));
        }
        return max;
    }

    /** Spark settings for a test on loopback. */
    static Map<String, String> loopbackConf() {
        return Map.of("spark.driver.host", "127.0.0.1", "spark.driver.bindAddress", "127.0.0.1",
                "spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "1");
    }
}
