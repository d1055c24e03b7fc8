package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import dev.frugal.model.Fixtures;
import org.junit.jupiter.api.Test;

/** The decomposed forward on a real Hugging Face GPT-2 checkpoint reproduces HF's logits. */
class HfGpt2ConformanceTest {
    @Test
    void decomposedForwardMatchesHuggingFaceLogits() {
        Path dir = Fixtures.dir("gpt2");
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); InterpModel m = InterpModel.load(dir);
             SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
             PatchedForward f = new PatchedForward(m, Precision.FP32)) {
            Tensor ids = ref.tensor("input_ids", DType.I64);
            Tensor want = ref.tensor("logits", DType.F32);
            try (ActivationCache c = f.cache(ids)) {
                double plain = Tensors.maxAbsDiff(m.logits(ids), want);
                double decomposed = Tensors.maxAbsDiff(c.logits(), want);
                Tensor patched = f.logits(ids, List.of(Set.of()), 1, c, null);
                double fromCache = Tensors.maxAbsDiff(patched, want);
                System.out.printf("HF GPT-2 logits: plain %.2e, decomposed %.2e, from block 1 %.2e%n", plain, decomposed, fromCache);
                double tol = Fixtures.tolerance(); // 1e-5 on the CPU (measured 2.3e-6)
                assertTrue(plain < tol && decomposed < tol && fromCache < tol, plain + " " + decomposed + " " + fromCache);
            }
        }
    }
}
