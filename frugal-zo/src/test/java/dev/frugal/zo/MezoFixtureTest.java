package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MeZO, exactly: frugal's reference ZO-SGD reproduces {@code opt/mezo_reference.json} of the fixture root. */
class MezoFixtureTest {
    static Path optDir() {
        String p = System.getProperty("frugal.fixtures", "../../shared/fixtures/hf-tiny");
        Path d = Path.of(p).resolve("opt");
        assertTrue(Files.isDirectory(d), "fixture directory missing: " + d + " (set -Dfrugal.fixtures)");
        return d;
    }

    @Test
    void reproducesTheMezoReferenceTrajectory() throws Exception {
        Path dir = optDir();
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("mezo_reference.json").toFile());
        try (CausalLM model = Models.loadCausalLM(dir, Device.CPU); Scope s = Scope.open()) {
            List<String> order = new ArrayList<>();
            ref.get("param_order").forEach(n -> order.add(n.asText()));
            assertEquals(order, model.parameterNames(), "parameter order must be HF named_parameters()");

            // libtorch's generator from Java gives the reference's first z
            Rng rng = Rng.seeded("check", ref.get("seeds").get(0).asLong());
            Tensor p0 = model.parameter(ref.get("first_z").get("param").asText());
            float[] z = Tensors.randn(rng, p0.shape()).toFloatArray();
            JsonNode first16 = ref.get("first_z").get("first16");
            for (int i = 0; i < 16; i++) assertEquals(first16.get(i).asDouble(), z[i], 0.0, "z[" + i + "]");

            long[][] ids = new long[ref.get("input_ids").size()][];
            for (int i = 0; i < ids.length; i++) {
                JsonNode row = ref.get("input_ids").get(i);
                ids[i] = new long[row.size()];
                for (int j = 0; j < row.size(); j++) ids[i][j] = row.get(j).asLong();
            }
            LmBatch batch = LmBatch.of(Tensors.fromLongs(ids), null);
            ZoHyperparameters hp = new ZoHyperparameters(ref.get("eps").asDouble(), ref.get("lr").asDouble(),
                    ref.get("weight_decay").asDouble(), 0);
            MezoReference<LmBatch> mezo = new MezoReference<>(model, new CausalLmObjective(), hp);
            assertEquals(ref.get("initial_loss").asDouble(), mezo.loss(batch), 1e-5, "initial loss");
            for (int i = 0; i < ref.get("steps").size(); i++) {
                JsonNode st = ref.get("steps").get(i);
                ZoStep r = mezo.step(i, st.get("seed").asLong(), batch);
                System.out.printf("step %d: |Δloss+| %.3g |Δloss-| %.3g |Δg| %.3g%n", i,
                        Math.abs(r.lossPlus() - st.get("loss_plus").asDouble()),
                        Math.abs(r.lossMinus() - st.get("loss_minus").asDouble()),
                        Math.abs(r.projectedGradient() - st.get("projected_grad").asDouble()));
                assertEquals(st.get("loss_plus").asDouble(), r.lossPlus(), 1e-5, "loss+ of step " + i);
                assertEquals(st.get("loss_minus").asDouble(), r.lossMinus(), 1e-5, "loss- of step " + i);
                assertEquals(st.get("projected_grad").asDouble(), r.projectedGradient(), 1e-5, "g of step " + i);
            }
            assertEquals(ref.get("final_loss").asDouble(), mezo.loss(batch), 1e-5, "final loss");
            try (SafetensorsFile fin = SafetensorsFile.open(dir.resolve("mezo_final_params.safetensors"))) {
                double worst = 0;
                for (String n : fin.names()) {
                    double d = Tensors.maxAbsDiff(model.parameter(n), fin.tensor(n));
                    assertTrue(d <= 1e-6, n + ": max |θ − θ_ref| = " + d);
                    worst = Math.max(worst, d);
                }
                System.out.printf("final parameters: max |θ − θ_ref| = %.3g over %d tensors%n", worst, fin.names().size());
            }
        }
    }
}
