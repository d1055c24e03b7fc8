package dev.frugal.influence.model;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;

/**
 * A classifier whose parameters are one flat vector θ {@code (P)}. Influence functions work on θ as a whole
 * (gradients, Hessian-vector products, the explicit Hessian of small models), so a flat layout keeps them simple.
 *
 * <p>Two forward paths: {@link #logits} with one θ shared by every row, and {@link #logitsPerRow} with a θ per row,
 * {@code (N, P)}. The second gives per-example gradients in one backward pass (the gradient with respect to row j of
 * θ is example j's gradient) and evaluates every example at its own SAM-perturbed weights θ + ε_j; a test checks that
 * both paths agree when the rows are equal.
 */
public sealed interface FlatModel permits LogisticRegression, Mlp {

    /** Input features F. */
    int features();

    /** Classes C. */
    int classes();

    /** Parameters P. */
    long numParams();

    /** The description written into checkpoints. */
    ModelSpec spec();

    /** Initial weights {@code (P)} drawn from {@code rng}. */
    Tensor init(Rng rng, DType dtype);

    /** Logits {@code (N, C)} of {@code x (N, F)} under the shared weights {@code theta (P)}. */
    Tensor logits(Tensor theta, Tensor x);

    /** Logits {@code (N, C)} of {@code x (N, F)} where row j uses its own weights {@code thetaRows[j] (N, P)}. */
    Tensor logitsPerRow(Tensor thetaRows, Tensor x);

    /** Per-example cross-entropy {@code (N)} of {@code logits (N, C)} against {@code y (N)} int64. */
    static Tensor crossEntropy(Tensor logits, Tensor y) {
        return NN.crossEntropyPerRow(logits, y, -100);
    }
}
