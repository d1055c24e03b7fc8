package dev.frugal.tensor;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.VoidTensorHook;

/**
 * A gradient reader registered on a non-leaf (or leaf) tensor: during {@code backward()} libtorch calls it once with the
 * full gradient of that tensor, {@code dL/dt} (same shape as {@code t}), on the thread that runs the backward. This is
 * how per-sample gradient engines see a layer's output gradient; custom autograd Functions do not work through
 * JavaCPP, tensor hooks do.
 *
 * <p>Lifetime (JAVACPP-NOTES pitfall 4): the native callback must stay strongly reachable until the backward that
 * uses it has run, whatever {@link Scope} was open when it was registered. A registered hook is therefore held in a
 * process-wide set and pinned with its own native reference until {@link #close()}; a lost hook would turn
 * {@code backward()} into a {@code RuntimeException} and the gradient would never be read.
 *
 * <p>The callback runs inside its own {@link Scope}: every tensor it creates is freed when it returns unless it
 * {@linkplain Tensor#keep() keeps} it. The gradient handed to it belongs to autograd and is valid only during the
 * call; the hook's own reference to it is dropped when the call returns, so the gradient's memory is freed as soon
 * as autograd no longer needs it (unless the callback kept a tensor that shares it). An exception thrown by the callback comes out of {@code backward()} as a {@code RuntimeException}.
 */
public final class GradHook implements AutoCloseable {
    private static final Set<GradHook> LIVE = ConcurrentHashMap.newKeySet();
    private static final java.util.concurrent.atomic.AtomicLong CALLBACK_NANOS = new java.util.concurrent.atomic.AtomicLong();

    private final VoidTensorHook callback;
    private boolean closed;

    private GradHook(Consumer<Tensor> onGradient) {
        Backend.ensureLoaded();
        this.callback = new VoidTensorHook() {
            @Override
            public void call(TensorBase g) {
                long t0 = System.nanoTime();
                try (Scope s = Scope.open()) {
                    onGradient.accept(Tensor.wrap(new org.bytedeco.pytorch.Tensor(g)));
                } finally {
                    // JavaCPP hands the gradient over @ByVal: g is its own TensorBase, a reference to autograd's
                    // gradient that only a garbage collection would release. Released here, the gradient's memory
                    // goes back as soon as autograd is done with it; kept, every hooked gradient of a backward stayed
                    // allocated until the next GC (a FlashDP step held 130 MB more than it computes with).
                    g.deallocate();
                    CALLBACK_NANOS.addAndGet(System.nanoTime() - t0);
                }
            }
        };
        callback.retainReference(); // survives the scope open at registration
    }

    /**
     * Registers {@code onGradient} on {@code t}, which must require grad.
     *
     * @throws IllegalArgumentException when {@code t} does not require grad (no gradient would ever arrive)
     */
    public static GradHook register(Tensor t, Consumer<Tensor> onGradient) {
        Objects.requireNonNull(onGradient, "onGradient");
        if (!t.requiresGrad()) throw new IllegalArgumentException("cannot hook " + t + ": it does not require grad, so"
                + " backward never computes its gradient; make an input or a parameter require grad first");
        GradHook h = new GradHook(onGradient);
        LIVE.add(h);
        t.raw().register_hook(h.callback);
        return h;
    }

    /** Total time spent inside hook callbacks in this process, nanoseconds (a profiling aid). */
    public static long callbackNanos() { return CALLBACK_NANOS.get(); }

    /** Hooks still registered and not closed (process-wide), for leak checks in tests. */
    public static int liveCount() { return LIVE.size(); }

    /**
     * Releases the callback. Call only after the last backward through the hooked tensor's graph: a backward that
     * reaches a released hook fails.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        LIVE.remove(this);
        callback.releaseReference();
    }
}
