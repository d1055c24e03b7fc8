package dev.frugal.interp;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/** A task with clean and corrupted inputs on which circuit discovery runs. */
public sealed interface CircuitTask permits CircuitTask.Induction, CircuitTask.PermutedPrevious, PlantedModel.Task {
    String name();

    /** A batch of {@code b} sequences drawn from {@code rng}. */
    TaskBatch batch(Rng rng, int b);

    /**
     * Induction (Olsson et al. 2022): a random sequence of {@code half} tokens repeated once; in the second half the
     * next token is the one that followed the current token's earlier occurrence. Corrupted: two unrelated random
     * halves. The metric reads positions {@code half .. 2·half−2}.
     */
    record Induction(int vocab, int half) implements CircuitTask {
        public Induction {
            if (vocab < 2 || half < 2) throw new IllegalArgumentException("induction needs vocab ≥ 2 and half ≥ 2");
        }

        @Override
        public String name() { return "induction"; }

        @Override
        public TaskBatch batch(Rng rng, int b) {
            Tensor x = Tensors.randint(0, vocab, rng, b, half);
            Tensor clean = Tensors.cat(java.util.List.of(x, x), 1); // (B, 2·half)
            Tensor corrupted = Tensors.randint(0, vocab, rng, b, 2L * half);
            long[] pos = new long[half - 1];
            for (int i = 0; i < pos.length; i++) pos[i] = half + i;
            Tensor targets = x.narrow(1, 1, half - 1); // position half+i is followed by x[i+1]
            return new TaskBatch(clean, corrupted, targets.contiguous(), pos);
        }
    }

    /**
     * Permuted previous token: random tokens, and the token after position t is {@code π(x_{t−1})} for a fixed
     * seeded permutation π of the vocabulary. A model needs a previous-token head and a lookup of π (an MLP or the
     * head's OV circuit). Corrupted: other random tokens. The metric reads positions 1 .. T−2.
     */
    record PermutedPrevious(int vocab, int length, long[] permutation) implements CircuitTask {
        public PermutedPrevious {
            if (permutation.length != vocab) throw new IllegalArgumentException("π must permute all " + vocab + " tokens");
            permutation = permutation.clone();
        }

        /** π drawn from {@code seed}. */
        public static PermutedPrevious of(int vocab, int length, long seed) {
            try (Rng pi = Rng.seeded("pi", seed)) {
                return new PermutedPrevious(vocab, length, Tensors.randperm(vocab, pi).toLongArray());
            }
        }

        @Override
        public String name() { return "permuted-previous"; }

        @Override
        public TaskBatch batch(Rng rng, int b) {
            Tensor x = Tensors.randint(0, vocab, rng, b, length);
            Tensor corrupted = Tensors.randint(0, vocab, rng, b, length);
            long[] pos = new long[length - 2];
            for (int i = 0; i < pos.length; i++) pos[i] = 1 + i;
            Tensor prev = x.narrow(1, 0, length - 2); // the token before each chosen position t = 1..T-2 is x[t-1]
            Tensor pi = Tensors.fromLongs(permutation, vocab);
            Tensor targets = pi.indexSelect(0, prev.reshape((long) b * (length - 2))).view(b, length - 2);
            return new TaskBatch(x, corrupted, targets, pos);
        }
    }
}
