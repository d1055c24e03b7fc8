package dev.frugal.model;

import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear layers whose result for a row does not depend on how many rows are multiplied with it. BLAS picks its
 * kernel and blocking from the row count M (a matrix-vector kernel for M = 1, other edge kernels for other M), so
 * {@code x (M, C) @ Wᵀ} gives a row last-bit differences as M changes (measured: up to 5e-6 in the logits of the
 * fixtures). Here the rows are cut into blocks of exactly {@code rowBlock} rows, the last one padded with zero rows,
 * so every GEMM has the same shape, whatever the batch; {@link SlotDecoder} uses blocks of one row (measured: the only
 * size that was invariant for every row offset). Everything else is {@link LayerOps#PLAIN}.
 */
public final class RowInvariantOps implements LayerOps {
    private final int rowBlock;
    private final long liveRows;

    /** @param rowBlock rows per GEMM (≥ 1) */
    public RowInvariantOps(int rowBlock) { this(rowBlock, Long.MAX_VALUE); }

    /**
     * @param liveRows only the first {@code liveRows} rows are multiplied; the others (padding) get zeros
     */
    public RowInvariantOps(int rowBlock, long liveRows) {
        if (rowBlock < 1) throw new IllegalArgumentException("rowBlock must be >= 1, got " + rowBlock);
        this.rowBlock = rowBlock;
        this.liveRows = liveRows;
    }

    public int rowBlock() { return rowBlock; }

    /** {@code x (B, T, in)} → {@code (B, T, out)} in blocks of {@code rowBlock} rows of {@code B·T}. */
    @Override
    public Tensor linear(String module, Tensor x, Tensor w, Tensor b) {
        long[] shape = x.shape();
        long in = shape[shape.length - 1], rows = x.numel() / in;
        Tensor flat = x.reshape(rows, in); // (N, in)
        List<Tensor> parts = new ArrayList<>();
        long live = Math.min(rows, liveRows);
        for (long r = 0; r < live; r += rowBlock) {
            long n = Math.min(rowBlock, live - r);
            Tensor block = flat.narrow(0, r, n);
            if (n < rowBlock) block = Tensors.cat(List.of(block, Tensors.zeros(block.dtype(), block.device(),
                    rowBlock - n, in)), 0);                                   // (rowBlock, in)
            Tensor y = NN.linear(block, w, b);                                // (rowBlock, out)
            parts.add(n < rowBlock ? y.narrow(0, 0, n) : y);
        }
        if (live < rows) parts.add(Tensors.zeros(x.dtype(), x.device(), rows - live, w.size(0))); // padding rows
        Tensor y = parts.size() == 1 ? parts.get(0) : Tensors.cat(parts, 0); // (N, out)
        long[] out = shape.clone();
        out[out.length - 1] = y.size(1);
        return y.reshape(out);
    }

    @Override
    public Tensor conv1d(String module, Tensor x, Tensor w, Tensor b) { return linear(module, x, w.t(), b); }
}
