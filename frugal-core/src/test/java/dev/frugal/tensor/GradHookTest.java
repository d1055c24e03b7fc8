package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a gradient hook sees, and that it holds the gradient no longer than its call. */
class GradHookTest {

    /**
     * Each hooked tensor's gradient arrives once, with the right values, and after the backward a tensor the hook kept
     * is the gradient's only owner: the hook's own reference (JavaCPP's by-value copy of the argument) was released
     * when the call returned, not left for a garbage collection (it had kept every FlashDP gradient alive).
     */
    @Test
    void hookReleasesItsReferenceWhenTheCallReturns() {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("grad-hook-test", 1);
            Tensor x = Tensors.randn(rng, 4, 5).requiresGrad(true);
            List<Tensor> seen = new ArrayList<>();
            List<GradHook> hooks = new ArrayList<>();
            List<Tensor> weights = new ArrayList<>();
            Tensor loss = null;
            for (int k = 0; k < 6; k++) {
                Tensor y = x.mul(k + 1.0), w = Tensors.randn(rng, 4, 5);
                weights.add(w);
                hooks.add(GradHook.register(y, g -> seen.add(g.keep())));
                Tensor term = y.mul(w).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            hooks.forEach(GradHook::close);
            assertEquals(weights.size(), seen.size(), "one call per hooked tensor");
            for (int i = 0; i < seen.size(); i++) {
                Tensor g = seen.get(i);
                // hooks run from the loss backwards: the last term's gradient arrives first
                assertEquals(0.0, Tensors.maxAbsDiff(g, weights.get(weights.size() - 1 - i)), "dL/dy = w of its term");
                assertEquals(1, g.raw().use_count(), "gradient " + i + " still referenced after the backward by "
                        + (g.raw().use_count() - 1) + " owner(s) other than the tensor the hook kept");
            }
            assertEquals(0, GradHook.liveCount(), "hooks released");
        }
    }
}
