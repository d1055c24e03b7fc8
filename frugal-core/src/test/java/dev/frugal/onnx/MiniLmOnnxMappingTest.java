package dev.frugal.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiniLmOnnxMappingTest {

    private static BertOnnxImport imported;

    @BeforeAll
    static void map() {
        imported = MiniLmOnnxMapping.map(MiniLmResources.model());
        System.out.println("MiniLM config derived from the ONNX graph:\n" + imported.config().toHfConfigJson());
    }

    /** Hugging Face BertModel.named_parameters() names and shapes for all-MiniLM-L6-v2 (no pooler in this export). */
    static Map<String, long[]> expectedShapes() {
        Map<String, long[]> m = new java.util.LinkedHashMap<>();
        m.put("embeddings.word_embeddings.weight", new long[] {30522, 384});
        m.put("embeddings.position_embeddings.weight", new long[] {512, 384});
        m.put("embeddings.token_type_embeddings.weight", new long[] {2, 384});
        m.put("embeddings.LayerNorm.weight", new long[] {384});
        m.put("embeddings.LayerNorm.bias", new long[] {384});
        for (int l = 0; l < 6; l++) {
            String p = "encoder.layer." + l + ".";
            for (String qkv : List.of("query", "key", "value")) {
                m.put(p + "attention.self." + qkv + ".weight", new long[] {384, 384});
                m.put(p + "attention.self." + qkv + ".bias", new long[] {384});
            }
            m.put(p + "attention.output.dense.weight", new long[] {384, 384});
            m.put(p + "attention.output.dense.bias", new long[] {384});
            m.put(p + "attention.output.LayerNorm.weight", new long[] {384});
            m.put(p + "attention.output.LayerNorm.bias", new long[] {384});
            m.put(p + "intermediate.dense.weight", new long[] {1536, 384});
            m.put(p + "intermediate.dense.bias", new long[] {1536});
            m.put(p + "output.dense.weight", new long[] {384, 1536});
            m.put(p + "output.dense.bias", new long[] {384});
            m.put(p + "output.LayerNorm.weight", new long[] {384});
            m.put(p + "output.LayerNorm.bias", new long[] {384});
        }
        return m;
    }

    @Test
    void everyHfNamePresentInOrderWithShape() {
        Map<String, long[]> expected = expectedShapes();
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(imported.weights().keySet()));
        expected.forEach((name, shape) -> assertArrayEquals(shape, imported.weights().get(name).shape(), name));
        assertEquals(22_565_376L, imported.parameterCount(), "all-MiniLM-L6-v2 has 22.6 M parameters");
    }

    @Test
    void configFromGraph() {
        BertGraphConfig c = imported.config();
        assertEquals(new BertGraphConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, "gelu", false), c);
        assertEquals(32, c.headDim());
    }

    /** The structural tracing agrees with the names the exporter kept on the biases and LayerNorm tensors. */
    @Test
    void structuralRolesAgreeWithNamedInitializers() {
        imported.sources().forEach((hfName, source) -> {
            if (!source.startsWith("onnx::")) {
                assertEquals(hfName, source, "named initializer mapped to another role");
            } else {
                assertTrue(hfName.endsWith(".weight") && source.endsWith("(transposed)"), hfName + " <- " + source);
            }
        });
    }

    @Test
    void matMulWeightsAreTransposedToOutIn() {
        OnnxModel m = MiniLmResources.model();
        String source = imported.sources().get("encoder.layer.0.intermediate.dense.weight").replace(" (transposed)", "");
        float[] stored = m.initializers().get(source).toFloats(); // [in=384, out=1536]
        float[] mapped = imported.weights().get("encoder.layer.0.intermediate.dense.weight").data(); // [1536, 384]
        for (int[] io : new int[][] {{0, 0}, {1, 7}, {383, 1535}, {200, 1000}}) {
            assertEquals(stored[io[0] * 1536 + io[1]], mapped[io[1] * 384 + io[0]]);
        }
    }

    @Test
    void graphWithoutEncoderIsTypedError() {
        OnnxModel m = MiniLmResources.model();
        OnnxModel embeddingsOnly = new OnnxModel(m.irVersion(), m.producer(), m.opsets(), m.nodes().subList(0, 32),
                m.initializers(), m.inputs(), m.outputs());
        OnnxMappingException e = assertThrows(OnnxMappingException.class, () -> MiniLmOnnxMapping.map(embeddingsOnly));
        assertFalse(e.getMessage().isBlank());
    }
}
