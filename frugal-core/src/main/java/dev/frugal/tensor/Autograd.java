package dev.frugal.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Functional gradients ({@code torch.autograd.grad}) and Hessian-vector products by double backward, for code that
 * needs derivatives of derivatives (influence functions, SAM's perturbed gradient as a function of the weights).
 * Unlike {@link Tensor#backward()} nothing accumulates into {@code .grad}.
 *
 * <p>Trap: {@code TensorVector.get(i)} returns a handle into the vector's own storage; once the vector is freed (by
 * its scope or the garbage collector) that handle dangles and the next use crashes the JVM. Results are therefore
 * owning copies, and the vector is kept reachable until they are made.
 */
public final class Autograd {
    private Autograd() {}

    /**
     * {@code ∂ output / ∂ inputs} for a scalar {@code output}. With {@code createGraph} the result is itself
     * differentiable (the graph is kept), so it can be differentiated again (double backward); without it the graph is
     * freed after this call.
     *
     * @throws IllegalArgumentException when {@code output} is not a scalar or an input is not used by it
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
        Objects.requireNonNull(output, "output");
        if (output.numel() != 1) {
            throw new IllegalArgumentException("grad needs a scalar output, got shape "
                    + java.util.Arrays.toString(output.shape()) + ": sum or mean it first");
        }
        TensorVector in = new TensorVector();
        for (Tensor t : inputs) in.push_back(t.raw());
        TensorVector out = torch.grad(new TensorVector(output.raw()), in, new TensorVector(),
                new BoolOptional(createGraph), createGraph, true);
        List<Tensor> result = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            org.bytedeco.pytorch.Tensor g = out.get(i);
            if (g == null || g.isNull() || !g.defined()) {
                throw new IllegalArgumentException("input " + i + " does not influence the output (no gradient): leave it"
                        + " out, or check that it requires grad and is used in the forward pass");
            }
            result.add(Tensor.wrap(new org.bytedeco.pytorch.Tensor(g))); // an owning copy: g points into `out`
        }
        java.lang.ref.Reference.reachabilityFence(out);
        return result;
    }

    /** {@code ∂ output / ∂ input} for one input; see {@link #grad(Tensor, List, boolean)}. */
    public static Tensor grad(Tensor output, Tensor input, boolean createGraph) {
        return grad(output, List.of(input), createGraph).getFirst();
    }

    /**
     * Hessian-vector product by double backward (Pearlmutter 1994): {@code H v = ∂(gᵀv)/∂θ} where {@code gradient}
     * is {@code ∂L/∂θ} computed with {@code createGraph = true}. {@code v} has the shape of {@code input} and is
     * treated as a constant. With {@code keepGraph} the graph of {@code gradient} survives for further products.
     */
    public static Tensor hvp(Tensor gradient, Tensor input, Tensor v, boolean keepGraph) {
        if (!java.util.Arrays.equals(gradient.shape(), v.shape())) {
            throw new IllegalArgumentException("vector shape " + java.util.Arrays.toString(v.shape())
                    + " does not match the gradient's " + java.util.Arrays.toString(gradient.shape()));
        }
        Tensor inner = gradient.mul(v.detach()).sum();
        TensorVector out = torch.grad(new TensorVector(inner.raw()), new TensorVector(input.raw()), new TensorVector(),
                new BoolOptional(keepGraph), false, true);
        org.bytedeco.pytorch.Tensor g = out.get(0);
        if (g == null || g.isNull() || !g.defined()) {
            return Tensors.zerosLike(input); // the gradient does not depend on the input: a zero Hessian
        }
        Tensor result = Tensor.wrap(new org.bytedeco.pytorch.Tensor(g)); // an owning copy: g points into `out`
        java.lang.ref.Reference.reachabilityFence(out);
        return result;
    }
}
