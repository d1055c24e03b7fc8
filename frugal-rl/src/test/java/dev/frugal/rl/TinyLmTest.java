package dev.frugal.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.frugal.model.CausalLM;
import dev.frugal.rl.task.CharVocab;
import dev.frugal.rl.task.SamplingBenchShape;
import dev.frugal.rl.task.TinyLm;
import dev.frugal.tensor.Device;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Task-family shapes: the analytic parameter count the bench prints is the written model's, vocabulary included. */
class TinyLmTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3"})
    void parameterCountAndVocabularyAreTheWrittenModels(String arch, @TempDir Path dir) {
        TinyLm t = new TinyLm(arch, 32, 2, 4, 2, 48, TinyLm.POSITIONS, 100);
        try (CausalLM m = t.create(dir, 3, Device.CPU)) {
            assertEquals(m.namedParameters().values().stream().mapToLong(x -> x.numel()).sum(), t.parameterCount());
            assertEquals(100, m.config().vocabSize());
            assertEquals(TinyLm.POSITIONS, m.config().maxPositions());
        }
        assertEquals(CharVocab.size(), TinyLm.defaults(arch).vocab());
        assertThrows(IllegalArgumentException.class, () -> new TinyLm(arch, 32, 2, 4, 2, 48, 96, CharVocab.size() - 1));
    }

    @org.junit.jupiter.api.Test
    void theGpuShapeIsQwen3OneSevenB() {
        TinyLm q = SamplingBenchShape.QWEN3_1_7B.spec();
        // Qwen3-1.7B's config: 28 layers, hidden 2048, 16 heads of 128, 8 KV heads, intermediate 6144, vocab 151,936,
        // tied embeddings: 1,720,574,976 parameters
        assertEquals(128, q.headDim());
        assertEquals(1_720_574_976L, q.parameterCount());
    }
}
