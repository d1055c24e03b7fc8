package dev.frugal.zo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.AttentionParts;
import dev.frugal.model.CausalLM;
import dev.frugal.model.LayerOps;
import dev.frugal.model.LmLoss;
import dev.frugal.model.MlpParts;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.tensor.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A diagnostic, not a test: the Java half of {@code tools/fixtures/mezo_forward_dump.py}. Reaches the parameters of
 * one forward of a MeZO fixture's trajectory with {@link MezoReference}'s arithmetic (steps before it driven by the
 * reference's g) and writes them ({@code param/NAME}) with every intermediate activation of frugal's forward
 * ({@code act/NAME}, the names of the Python dump) to {@code OUT/java.safetensors}.
 *
 * <p>Also {@code ops}: each op of the forward on the reference's own input of that op ({@code java_ops.safetensors}),
 * and {@code logits}: frugal's logits on fixtures' {@code reference.safetensors} counted in bits. Run through
 * {@code tools/fixtures/mezo_forward_diff.sh} (after {@code package} and frugal-zo's {@code test-compile});
 * {@code -Dthreads=N} sets ATen's and OpenBLAS's threads (default 1, as the fixture script). See docs/zo2.md, "MeZO
 * exactness against PyTorch".
 */
public final class MezoForwardDump {
    private MezoForwardDump() {}

    public static void main(String[] args) throws IOException {
        if (args[0].equals("logits")) {
            for (int i = 1; i < args.length; i++) logits(Path.of(args[i]));
            return;
        }
        if (args[0].equals("ops")) {
            ops(Path.of(args[1]), Path.of(args[2]));
            return;
        }
        Path dir = Path.of(args[0]);
        int step = Integer.parseInt(args[1]);
        boolean minus = args[2].equals("minus");
        Path out = Path.of(args[3]);
        Threads.configure(Integer.getInteger("threads", 1));
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("mezo_reference.json").toFile());
        Map<String, Tensor> dump = new LinkedHashMap<>();
        try (CausalLM model = Models.loadCausalLM(dir, Device.CPU); Scope s = Scope.open(); GradMode g = GradMode.off()) {
            ZoHyperparameters hp = new ZoHyperparameters(ref.get("eps").asDouble(), ref.get("lr").asDouble(), 0, 0);
            MezoReference<LmBatch> mezo = new MezoReference<>(model, new CausalLmObjective(), hp);
            for (int i = 0; i < step; i++) {
                JsonNode st = ref.get("steps").get(i);
                mezo.perturbedLosses(st.get("seed").asLong(), MezoFixtureTest.batch(ref)); // +1, −2, +1: the restore drift included
                mezo.update(st.get("seed").asLong(), st.get("projected_grad").asDouble());
            }
            if (step >= 0) {
                long seed = ref.get("steps").get(step).get("seed").asLong();
                perturb(model, seed, 1, hp.eps());
                if (minus) perturb(model, seed, -2, hp.eps());
            }
            for (String n : model.parameterNames()) dump.put("param/" + n, model.parameter(n).cloneTensor().keep());
            LmBatch b = MezoFixtureTest.batch(ref);
            Recorder rec = new Recorder();
            Tensor logits = model.logits(b.inputIds(), null, null, rec); // (B, T, V)
            rec.put("logits", logits);
            long bt = logits.size(0) * logits.size(1), v = logits.size(2);
            Tensor labels = shiftedLabels(b.inputIds());
            Tensor ls = NN.logSoftmax(logits.reshape(bt, v), -1);
            rec.put("log_softmax", ls);
            rec.put("nll", NN.crossEntropyPerRow(logits.reshape(bt, v), labels, LmLoss.IGNORE_INDEX));
            Tensor loss = LmLoss.causal(logits, b.labels());
            rec.put("loss", loss.reshape(1));
            rec.acts.forEach((k, t) -> dump.put("act/" + k, t));
            System.out.printf("frugal: loss %.9g%n", loss.itemDouble());
            Files.createDirectories(out);
            SafetensorsWriter.write(out.resolve("java.safetensors"), dump, Map.of("format", "pt"));
            System.out.println("wrote " + out.resolve("java.safetensors"));
        }
    }

    /**
     * Op by op: every op of frugal's OPT forward applied to the reference's own input of that op (read from
     * {@code DUMP/python.safetensors}), written to {@code DUMP/java_ops.safetensors} as {@code op/NAME}: an op whose
     * output differs there differs on bit-identical inputs.
     */
    private static void ops(Path fixture, Path dumpDir) throws IOException {
        Threads.configure(Integer.getInteger("threads", 1));
        JsonNode cfg = new ObjectMapper().readTree(fixture.resolve("config.json").toFile());
        boolean pre = cfg.get("do_layer_norm_before").asBoolean();
        boolean projects = cfg.get("word_embed_proj_dim").asInt() != cfg.get("hidden_size").asInt();
        int layers = cfg.get("num_hidden_layers").asInt(), heads = cfg.get("num_attention_heads").asInt();
        String p = "model.decoder.";
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (dev.frugal.io.SafetensorsFile f = dev.frugal.io.SafetensorsFile.open(dumpDir.resolve("python.safetensors"));
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            java.util.function.Function<String, Tensor> act = n -> f.tensor("act/" + n);
            java.util.function.Function<String, Tensor> par = n -> f.tensor("param/" + n);
            java.util.function.BiConsumer<String, Tensor> put = (n, t) -> out.put("op/" + n, t.contiguous().keep());
            Tensor h = act.apply("embeddings"); // (B, T, C)
            long b = h.size(0), t = h.size(1), c = h.size(2), d = c / heads;
            double scale = 1.0 / Math.sqrt(d);
            Tensor allowed = Tensors.ones(t, t).tril(0).eq(1.0).view(1, 1, t, t);
            Tensor bias = Tensors.zeros(1, 1, t, t).maskedFill(allowed.logicalNot(), -Float.MAX_VALUE);
            if (projects) put.accept("project_in", NN.linear(act.apply("embed_tokens"), par.apply(p + "project_in.weight"), null));
            put.accept("embeddings", (projects ? act.apply("project_in") : act.apply("embed_tokens")).add(act.apply("embed_positions")));
            for (int i = 0; i < layers; i++) {
                String l = p + "layers." + i + ".", a = l + "self_attn.";
                java.util.function.BiFunction<String, Tensor, Tensor> lin = (m, x) -> NN.linear(x, par.apply(m + ".weight"), par.apply(m + ".bias"));
                java.util.function.BiFunction<String, Tensor, Tensor> ln = (m, x) -> NN.layerNorm(x, par.apply(m + ".weight"), par.apply(m + ".bias"), 1e-5);
                Tensor in = i == 0 ? act.apply("embeddings") : act.apply(p + "layers." + (i - 1) + (pre ? ".mlp_residual" : ".final_layer_norm"));
                if (pre) put.accept(l + "self_attn_layer_norm", ln.apply(l + "self_attn_layer_norm", in));
                Tensor x = pre ? act.apply(l + "self_attn_layer_norm") : in;
                for (String proj : List.of("q_proj", "k_proj", "v_proj")) put.accept(a + proj, lin.apply(a + proj, x));
                Tensor q = act.apply(a + "q_proj").view(b, t, heads, d).transpose(1, 2); // (B, H, T, D)
                Tensor k = act.apply(a + "k_proj").view(b, t, heads, d).transpose(1, 2);
                Tensor v = act.apply(a + "v_proj").view(b, t, heads, d).transpose(1, 2);
                put.accept(a + "scores", q.mul(scale).matmul(k.transpose(-1, -2)).add(bias));
                put.accept(a + "softmax", NN.softmax(act.apply(a + "scores"), -1));
                put.accept(a + "heads", act.apply(a + "softmax").matmul(v).transpose(1, 2));
                put.accept(a + "heads_sdpa", NN.attention(q, k, v, null, true, scale, false).transpose(1, 2));
                put.accept(a + "out_proj", lin.apply(a + "out_proj", act.apply(a + "heads").reshape(b, t, c)));
                put.accept(l + "attn_residual", in.add(act.apply(a + "out_proj")));
                if (!pre) put.accept(l + "self_attn_layer_norm", ln.apply(l + "self_attn_layer_norm", act.apply(l + "attn_residual")));
                Tensor r = pre ? act.apply(l + "attn_residual") : act.apply(l + "self_attn_layer_norm");
                if (pre) put.accept(l + "final_layer_norm", ln.apply(l + "final_layer_norm", r));
                put.accept(l + "fc1", lin.apply(l + "fc1", pre ? act.apply(l + "final_layer_norm") : r));
                put.accept(l + "fc2", lin.apply(l + "fc2", act.apply(l + "fc1").relu()));
                put.accept(l + "mlp_residual", r.add(act.apply(l + "fc2")));
                if (!pre) put.accept(l + "final_layer_norm", ln.apply(l + "final_layer_norm", act.apply(l + "mlp_residual")));
            }
            Tensor last = act.apply(p + "layers." + (layers - 1) + (pre ? ".mlp_residual" : ".final_layer_norm"));
            if (pre) {
                put.accept(p + "final_layer_norm", NN.layerNorm(last, par.apply(p + "final_layer_norm.weight"), par.apply(p + "final_layer_norm.bias"), 1e-5));
                last = act.apply(p + "final_layer_norm");
            }
            if (projects) {
                put.accept(p + "project_out", NN.linear(last, par.apply(p + "project_out.weight"), null));
                last = act.apply(p + "project_out");
            }
            put.accept("logits", NN.linear(last, par.apply(p + "embed_tokens.weight"), null));
            Tensor logits = act.apply("logits");
            long v = logits.size(2);
            Tensor labels = shiftedLabels(f.tensor("input_ids"));
            put.accept("log_softmax", NN.logSoftmax(logits.reshape(b * t, v), -1));
            put.accept("nll", NN.crossEntropyPerRow(logits.reshape(b * t, v), labels, LmLoss.IGNORE_INDEX));
            put.accept("loss", LmLoss.causal(logits, f.tensor("input_ids")).reshape(1));
            SafetensorsWriter.write(dumpDir.resolve("java_ops.safetensors"), out, Map.of("format", "pt"));
            System.out.println("wrote " + dumpDir.resolve("java_ops.safetensors"));
        }
    }

    /**
     * Frugal's logits and loss on a fixture's {@code reference.safetensors} input against the reference's, counted in
     * bits (what the fixture's PyTorch computed on the initial parameters).
     */
    private static void logits(Path fixture) {
        Threads.configure(Integer.getInteger("threads", 1));
        try (CausalLM model = Models.loadCausalLM(fixture, Device.CPU);
             dev.frugal.io.SafetensorsFile f = dev.frugal.io.SafetensorsFile.open(fixture.resolve("reference.safetensors"));
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            Tensor ids = f.tensor("input_ids");
            Tensor mask = f.tensor("attention_mask_padded");
            String[][] cases = {{"logits", null}, {"logits_padded", "mask"}};
            StringBuilder line = new StringBuilder(fixture.toString());
            for (String[] c : cases) {
                if (!f.contains(c[0])) continue;
                float[] got = model.logits(ids, c[1] == null ? null : mask, null, null).toFloatArray();
                float[] want = f.tensor(c[0]).toFloatArray();
                long differ = 0;
                if (c[1] != null) { // only the real positions are compared: padded rows are HF's arbitrary values
                    long[] m = mask.toLongArray();
                    long v = want.length / m.length;
                    for (int i = 0; i < want.length; i++)
                        if (m[(int) (i / v)] != 0 && Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) differ++;
                } else {
                    for (int i = 0; i < want.length; i++) if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) differ++;
                }
                line.append(String.format("  %s: %d of %d differ", c[0], differ, want.length));
            }
            if (f.contains("loss")) {
                double got = LmLoss.causal(model.logits(ids), ids).itemDouble(), want = f.tensor("loss").itemDouble();
                line.append(String.format("  loss: %.9g vs %.9g (%s)", got, want, got == want ? "equal" : "DIFFERENT"));
            }
            System.out.println(line);
        }
    }

    /** {@link MezoReference}'s perturbation: θ ← θ + (scale·z)·ε, z from a generator seeded with {@code seed}. */
    private static void perturb(CausalLM model, long seed, double scale, double eps) {
        try (Rng rng = Rng.seeded("mezo-z", seed)) {
            for (String n : model.parameterNames()) {
                try (Scope s = Scope.open()) {
                    Tensor p = model.parameter(n);
                    p.addInPlace(Tensors.randn(rng, p.dtype(), p.device(), p.shape()).mul(scale).mul(eps), 1.0);
                }
            }
        }
    }

    private static Tensor shiftedLabels(Tensor ids) {
        long b = ids.size(0), t = ids.size(1);
        Tensor ignored = Tensors.full(LmLoss.IGNORE_INDEX, dev.frugal.tensor.DType.I64, Device.CPU, b, 1);
        return Tensors.cat(List.of(ids.narrow(1, 1, t - 1), ignored), 1).reshape(b * t);
    }

    /** Plain ops that keep a copy of every output under the Python dump's names. */
    private static final class Recorder implements LayerOps {
        final Map<String, Tensor> acts = new LinkedHashMap<>();
        private Tensor tokens;

        void put(String name, Tensor t) { acts.put(name, t.contiguous().cloneTensor().keep()); }

        private static String shortName(String module) {
            return module.equals("model.decoder.embed_tokens") ? "embed_tokens"
                    : module.equals("model.decoder.project_in") ? "project_in"
                    : module.equals("model.decoder.embed_positions") ? "embed_positions" : module;
        }

        @Override
        public Tensor linear(String module, Tensor x, Tensor w, Tensor b) {
            Tensor y = LayerOps.PLAIN.linear(module, x, w, b);
            if (!module.equals("lm_head")) put(shortName(module), y);
            if (module.equals("model.decoder.project_in")) tokens = y;
            return y;
        }

        @Override
        public Tensor embedding(String module, Tensor table, Tensor ids) {
            Tensor y = LayerOps.PLAIN.embedding(module, table, ids);
            put(shortName(module), y);
            if (module.equals("model.decoder.embed_tokens")) tokens = y;
            else put("embeddings", tokens.add(y)); // OptModel.embed's x + positions
            return y;
        }

        @Override
        public Tensor layerNorm(String module, Tensor x, Tensor w, Tensor b, double eps) {
            Tensor y = LayerOps.PLAIN.layerNorm(module, x, w, b, eps);
            put(module, y);
            return y;
        }

        @Override
        public Tensor headOutputs(int layer, Tensor perHead) {
            put("model.decoder.layers." + layer + ".self_attn.heads", perHead);
            return perHead;
        }

        @Override
        public Tensor attention(AttentionParts parts, Tensor residual) {
            Tensor c = parts.forward(residual);
            put("model.decoder.layers." + parts.layer() + ".attn_residual", residual.add(c));
            alternatives(parts, residual);
            return c;
        }

        /** Other orders of the same attention on frugal's own q, k, v (B, H, T, D), for the comparison. */
        private void alternatives(AttentionParts parts, Tensor residual) {
            String a = "model.decoder.layers." + parts.layer() + ".self_attn.";
            Tensor[] qkv = parts.project(parts.norm(residual));
            Tensor q = qkv[0], k = qkv[1], v = qkv[2];
            long t = q.size(2);
            double scale = 1.0 / Math.sqrt(parts.headDim());
            // the fixture script's / HF eager order: (q·s) kᵀ + additive mask, softmax, @ v
            Tensor allowed = Tensors.ones(t, t).tril(0).eq(1.0).view(1, 1, t, t);
            Tensor bias = Tensors.zeros(1, 1, t, t).maskedFill(allowed.logicalNot(), -Float.MAX_VALUE);
            Tensor scores = q.mul(scale).matmul(k.transpose(-1, -2)).add(bias);
            put(a + "scores", scores);
            Tensor w = NN.softmax(scores, -1);
            put(a + "softmax", w);
            put(a + "heads_eager", w.matmul(v).transpose(1, 2));
            // HF's SDPA order for OPT: q_proj(x)·s, then SDPA with scale 1
            put(a + "heads_sdpa_prescaled", NN.attention(q.mul(scale), k, v, null, true, 1.0, false).transpose(1, 2));
            // SDPA with a boolean mask instead of is_causal
            put(a + "heads_sdpa_boolmask", NN.attention(q, k, v, allowed, false, scale, false).transpose(1, 2));
        }

        @Override
        public Tensor mlp(MlpParts parts, Tensor residual) {
            Tensor c = parts.forward(residual);
            put("model.decoder.layers." + parts.layer() + ".mlp_residual", residual.add(c));
            return c;
        }
    }
}
