package dev.frugal.tensor;

/**
 * Thread-local switch that turns autograd recording off (PyTorch's {@code torch.no_grad()}). Always use with
 * try-with-resources: an unclosed guard leaves grad mode off on this thread.
 *
 * <p>Implemented as {@code set_enabled(false)} plus a restore of the previous mode at {@link #close()}, not as a
 * native {@code NoGradGuard}: a guard object created inside an open {@link Scope} is also owned by that scope, so its
 * destructor (which restores the mode) ran only when the enclosing scope closed, leaving grad mode off after
 * {@code close()} (a later {@code backward()} then failed with "does not require grad").
 */
public final class GradMode implements AutoCloseable {
    private final boolean previous;
    private final Thread owner;
    private boolean closed;

    private GradMode() {
        Backend.ensureLoaded();
        this.previous = org.bytedeco.pytorch.GradMode.is_enabled();
        this.owner = Thread.currentThread();
        org.bytedeco.pytorch.GradMode.set_enabled(false);
    }

    /** Turns recording off until {@link #close()}. */
    public static GradMode off() { return new GradMode(); }

    /** Whether autograd records on this thread now. */
    public static boolean enabled() { return org.bytedeco.pytorch.GradMode.is_enabled(); }

    /** Restores the mode that was in force when this guard was opened (on the opening thread only). */
    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != owner)
            throw new IllegalStateException("GradMode opened on " + owner.getName() + " closed on "
                    + Thread.currentThread().getName() + ": grad mode is per thread, close it where it was opened");
        closed = true;
        org.bytedeco.pytorch.GradMode.set_enabled(previous);
    }
}
