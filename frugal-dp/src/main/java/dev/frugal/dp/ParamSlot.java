package dev.frugal.dp;

import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One trainable parameter's bookkeeping during one DP step: how many uses the forward recorded, the factors that have
 * arrived from backward hooks, and what has been computed from them.
 */
final class ParamSlot {
    final String name;
    final long[] shape;
    final double bound;                       // C_l (per-layer mode)
    int expectedUses;                         // recorded in the forward
    int arrivedUses;                          // hooks fired in the current backward
    final List<PerSampleFactor> pending = new ArrayList<>();
    Tensor normSquared;                       // (B), kept; after the norm pass or the one-pass clip
    Tensor perSample;                         // (B, …), kept; EXPLICIT only
    Tensor clippedSum;                        // parameter shape, kept

    ParamSlot(String name, long[] shape, double bound) {
        this.name = name;
        this.shape = shape;
        this.bound = bound;
    }

    void drainPending() {
        for (PerSampleFactor f : pending) f.close();
        pending.clear();
    }

    void close() {
        drainPending();
        for (Tensor t : new Tensor[] {normSquared, perSample, clippedSum})
            if (t != null && !t.isFreed()) t.close();
        normSquared = perSample = clippedSum = null;
    }
}
