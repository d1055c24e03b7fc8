package dev.frugal.tensor;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A named, seeded libtorch CPU generator (Philox/MT as libtorch's CPU generator; the same seed gives the same stream as
 * {@code torch.manual_seed(seed)} in PyTorch). Every random draw in frugal comes from one of these, never from the
 * global generator, so that runs are reproducible by construction.
 *
 * <p>An {@code Rng} holds a native generator: whoever creates one closes it (try-with-resources); a component handed
 * one by its caller uses it without closing it. Drawing from a closed generator throws {@link IllegalStateException}.
 */
public final class Rng implements AutoCloseable {
    private final String name;
    private final Generator generator;
    private long seed;
    private boolean closed;

    private Rng(String name, long seed, Device device) {
        Backend.ensureLoaded();
        this.name = name;
        this.seed = seed;
        this.generator = device.isCuda() ? Cuda.generator(device, seed) : torch.createCPUGenerator(seed);
        this.generator.retainReference(); // lives as long as this object, whatever scope is open now
    }

    /**
     * A CPU generator called {@code name} (for logs) seeded with {@code seed}. The name does not enter the stream:
     * two generators with the same seed draw the same numbers whatever their names (as {@code torch.manual_seed}), so
     * draws meant to differ (a clean and a corrupted input, data and weights) need different seeds.
     */
    public static Rng seeded(String name, long seed) { return new Rng(name, seed, Device.CPU); }

    /**
     * A generator for tensors on {@code device}: libtorch's CPU generator, or a CUDA (Philox) generator for a CUDA
     * device, which gives other numbers than the CPU's for the same seed (as in PyTorch).
     */
    public static Rng seeded(String name, long seed, Device device) { return new Rng(name, seed, device); }

    /** Restarts the stream from {@code newSeed} (like {@code manual_seed}). */
    public Rng reseed(long newSeed) {
        checkOpen();
        this.seed = newSeed;
        generator.set_current_seed(newSeed);
        return this;
    }

    public String name() { return name; }

    /** The seed the stream was last (re)started from. */
    public long seed() { return seed; }

    /** The full generator state as bytes (for checkpoints). */
    public byte[] state() {
        checkOpen();
        try (Scope s = Scope.open()) {
            return Tensor.wrap(generator.get_state()).toByteArray();
        }
    }

    /** Restores a state returned by {@link #state()}. */
    public void setState(byte[] state) {
        checkOpen();
        try (Scope s = Scope.open()) {
            generator.set_state(Tensors.fromBytes(state, new long[] {state.length}, DType.U8).raw());
        }
    }

    GeneratorOptional optional() {
        checkOpen();
        return new GeneratorOptional(generator);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(this + " is closed");
    }

    /** Releases the native generator (idempotent). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        generator.releaseReference();
    }

    @Override
    public String toString() { return "Rng[" + name + ", seed=" + seed + "]"; }
}
