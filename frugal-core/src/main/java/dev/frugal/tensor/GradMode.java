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
