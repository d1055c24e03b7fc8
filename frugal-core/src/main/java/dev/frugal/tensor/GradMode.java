package dev.frugal.tensor;

import org.bytedeco.pytorch.NoGradGuard;

/**
 * Thread-local switch that turns autograd recording off (PyTorch's {@code torch.no_grad()}). Always use with
 * try-with-resources: an unclosed guard leaves grad mode off on this thread.
 */
public final class GradMode implements AutoCloseable {
    private final NoGradGuard guard;

    private GradMode() {
        Backend.ensureLoaded();
        guard = new NoGradGuard();
        guard.retainReference(); // must outlive any scope opened inside
        // ...and must end at close(), not when an enclosing scope closes: a guard attached to the scope open now
        // (refcount 2) would leave grad mode off after close() until that scope closed
        org.bytedeco.javacpp.PointerScope inner = org.bytedeco.javacpp.PointerScope.getInnerScope();
        if (inner != null) inner.detach(guard);
    }

    /** Turns recording off until {@link #close()}. */
    public static GradMode off() { return new GradMode(); }

    /** Whether autograd records on this thread now. */
    public static boolean enabled() { return org.bytedeco.pytorch.GradMode.is_enabled(); }

    @Override
    public void close() {
        guard.close();
    }
}
