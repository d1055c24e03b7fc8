package dev.frugal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.bert.BertModel;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face conformance of every encoder (BERT) directory under the fixture root: {@code last_hidden_state}
 * (B, T, C) and classification {@code logits} (B, numLabels) within {@link Fixtures#tolerance()}, without padding and
 * with {@code attention_mask_padded}; a save → load round trip; and the same encoder saved as a bare {@code BertModel}
 * checkpoint (no {@code bert.} prefix, no classifier, with and without pooler) giving identical hidden states. A
 * directory whose model_type is an encoder but which cannot be loaded fails.
 *
 * <p>Padded batches are compared at every position HF produced, padded query rows included: HF masks padded
 * <em>keys</em> only (its extended mask is (B, 1, 1, S)), so a padded query position still attends to the real tokens
 * and its hidden state is well defined; frugal's (B, 1, T, S) mask is the same mask broadcast over queries.
 */
class EncoderConformanceTest {
    @TempDir
    Path tmp;

    /**
     * Whether fixture directory {@code d} belongs to this suite: its config.json reads and names an encoder
     * model_type. Everything else — decoders, unknown model_types, unreadable configs — belongs to
     * {@link DecoderConformanceTest}, which fails on what it cannot load, so every directory is tested exactly once.
     */
    static boolean isEncoder(Path d) {
        try {
            return Models.ENCODER_TYPES.contains(HfConfig.read(d).modelType());
        } catch (ConfigException e) {
            return false;
        }
    }

    @TestFactory
    Stream<DynamicContainer> everyEncoderMatchesHuggingFace() {
        return Fixtures.architectureDirs().stream().filter(EncoderConformanceTest::isEncoder)
                .map(d -> DynamicContainer.dynamicContainer(d.getFileName().toString(), Stream.of(
                        DynamicTest.dynamicTest("logits and last_hidden_state", () -> matches(d, false)),
                        DynamicTest.dynamicTest("padded: logits and last_hidden_state", () -> matches(d, true)),
                        DynamicTest.dynamicTest("save and load round trip", () -> roundTrip(d)),
                        DynamicTest.dynamicTest("bare BertModel checkpoint", () -> bareEncoder(d)))));
    }

    private static void matches(Path dir, boolean padded) {
        String sfx = padded ? "_padded" : "";
        try (EncoderModel m = Models.loadEncoder(dir, Fixtures.device());
             SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            Tensor ids = ref.tensor("input_ids").to(m.device());                               // (B, T)
            Tensor mask = padded ? ref.tensor("attention_mask_padded").to(m.device()) : null; // (B, T)
            Tensor h = m.lastHiddenState(ids, null, mask, null);                               // (B, T, C)
            double dh = Tensors.maxAbsDiff(h.to(Device.CPU), ref.tensor("last_hidden_state" + sfx));
            System.out.printf("%s: max |last_hidden_state%s - HF| = %.3e%n", dir.getFileName(), sfx, dh);
            assertTrue(dh <= Fixtures.tolerance(), dir.getFileName() + ": max |last_hidden_state" + sfx + " - HF| = "
                    + dh);
            if (!ref.contains("logits" + sfx)) { // a bare-encoder fixture has no classifier output
                assertTrue(!m.hasClassifier(), dir.getFileName() + ": a classifier was loaded, but the reference has no"
                        + " logits" + sfx + " to check it against");
                return;
            }
            assertTrue(m.hasClassifier(), dir.getFileName() + ": HF produced logits but no classifier was loaded");
            Tensor logits = m.logits(ids, null, mask, null);                                   // (B, numLabels)
            double dl = Tensors.maxAbsDiff(logits.to(Device.CPU), ref.tensor("logits" + sfx));
            System.out.printf("%s: max |logits%s - HF| = %.3e%n", dir.getFileName(), sfx, dl);
            assertTrue(dl <= Fixtures.tolerance(), dir.getFileName() + ": max |logits" + sfx + " - HF| = " + dl);
        }
    }

    private void roundTrip(Path dir) throws Exception {
        Path out = Files.createDirectories(tmp.resolve(dir.getFileName() + "-saved"));
        try (EncoderModel m = Models.loadEncoder(dir, Fixtures.device());
             SafetensorsFile orig = SafetensorsFile.open(dir.resolve("model.safetensors"));
             SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            Models.save(m, out);
            try (SafetensorsFile saved = SafetensorsFile.open(out.resolve("model.safetensors"));
                 EncoderModel back = Models.loadEncoder(out, Fixtures.device())) {
                assertEquals(sorted(parameterNamesOf(orig)), sorted(saved.names()), "saved layout differs from loaded");
                assertEquals(m.parameterNames(), saved.names(), "saved order is not named_parameters() order");
                assertEquals(m.parameterNames(), back.parameterNames());
                Tensor ids = ref.tensor("input_ids").to(m.device());
                Tensor mask = ref.tensor("attention_mask_padded").to(m.device());
                assertTrue(Tensors.equal(m.lastHiddenState(ids, null, mask, null),
                        back.lastHiddenState(ids, null, mask, null)), "last_hidden_state after save/load differs");
                if (m.hasClassifier()) assertTrue(Tensors.equal(m.logits(ids, null, mask, null),
                        back.logits(ids, null, mask, null)), "logits after save/load differ");
            }
        }
    }

    /**
     * The fixture's encoder written the way a plain {@code BertModel.save_pretrained} writes it (no {@code bert.}
     * prefix, no classifier), once with the pooler and once without it but with the {@code position_ids} buffer old
     * transformers versions saved: both load and give bit-identical hidden states, and save back in their own layout.
     */
    private void bareEncoder(Path dir) throws Exception {
        try (EncoderModel m = Models.loadEncoder(dir, Fixtures.device());
             SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            Tensor ids = ref.tensor("input_ids").to(m.device());
            Tensor mask = ref.tensor("attention_mask_padded").to(m.device());
            Tensor expected = m.lastHiddenState(ids, null, mask, null); // (B, T, C)
            for (boolean pooler : new boolean[] {true, false}) {
                Path bare = Files.createDirectories(tmp.resolve(dir.getFileName() + (pooler ? "-bare" : "-bare-nopool")));
                writeBare(m, dir, bare, pooler);
                try (EncoderModel e = Models.loadEncoder(bare, Fixtures.device())) {
                    assertFalse(e.hasClassifier());
                    assertEquals(pooler, e.hasPooler());
                    assertTrue(e.parameterNames().stream().noneMatch(n -> n.startsWith("bert.")));
                    Tensor h = e.lastHiddenState(ids, null, mask, null);
                    assertTrue(Tensors.equal(expected, h), "bare checkpoint's last_hidden_state differs: max diff "
                            + Tensors.maxAbsDiff(expected, h));
                    assertTrue(Tensors.maxAbsDiff(e.lastHiddenState(ids, null, null, null).to(Device.CPU),
                            ref.tensor("last_hidden_state")) <= Fixtures.tolerance());
                    assertThrows(IllegalStateException.class, () -> e.logits(ids, null, mask, null));
                    if (pooler) assertTrue(Tensors.equal(m.pooled(expected, null), e.pooled(h, null)));
                    else assertThrows(IllegalStateException.class, () -> e.pooled(h, null));
                    Path again = Files.createDirectories(tmp.resolve(bare.getFileName() + "-saved"));
                    Models.save(e, again);
                    try (SafetensorsFile saved = SafetensorsFile.open(again.resolve("model.safetensors"))) {
                        assertEquals(e.parameterNames(), saved.names(), "bare layout not kept on save");
                    }
                }
            }
            // config.json still claiming BertForSequenceClassification over bare weights: refused, named
            Path lying = Files.createDirectories(tmp.resolve(dir.getFileName() + "-lying"));
            writeBare(m, dir, lying, true);
            ObjectNode json = HfConfig.read(dir).json();
            HfConfig.of(json, lying.resolve("config.json")).writeTo(lying);
            var ex = assertThrows(CheckpointMismatchException.class, () -> Models.loadEncoder(lying, Fixtures.device()));
            assertTrue(ex.getMessage().contains("BertForSequenceClassification"), ex.getMessage());
        }
    }

    /** Writes {@code m}'s encoder without prefix and classifier (and without the pooler unless {@code pooler}). */
    private static void writeBare(EncoderModel m, Path fixture, Path out, boolean pooler) throws Exception {
        String prefix = ((BertModel) m).layout().prefix();
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            String n = e.getKey().substring(e.getKey().startsWith(prefix) ? prefix.length() : 0);
            if (n.startsWith("classifier.") || (!pooler && n.startsWith("pooler."))) continue;
            params.put(n, e.getValue().to(Device.CPU).contiguous());
        }
        if (!pooler) { // the persistent buffer transformers < 4.31 saved: (1, max_positions) int64
            long n = m.config().maxPositions();
            params.put("embeddings.position_ids", Tensors.arange(n, Device.CPU).view(1, n));
        }
        SafetensorsWriter.write(out.resolve("model.safetensors"), params, Map.of("format", "pt"));
        ObjectNode json = HfConfig.read(fixture).json();
        json.putArray("architectures").add("BertModel");
        HfConfig.of(json, out.resolve("config.json")).writeTo(out);
    }

    private static List<String> parameterNamesOf(SafetensorsFile f) {
        return f.names().stream().filter(n -> !n.endsWith("embeddings.position_ids")).toList();
    }

    private static List<String> sorted(List<String> names) {
        List<String> l = new ArrayList<>(names);
        l.sort(null);
        return l;
    }
}
