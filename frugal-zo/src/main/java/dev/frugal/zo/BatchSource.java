package dev.frugal.zo;

/**
 * Training batches addressed by step: the batch of step t depends only on (run seed, t), so a resumed run, a replayed
 * log or another worker sees exactly the batch the original run saw.
 *
 * @param <B> the batch type
 */
@FunctionalInterface
public interface BatchSource<B> {
    /** The batch of step {@code t} (tensors in the caller's scope). */
    B batch(long t);
}
