package dev.frugal.zo;

/**
 * Where the perturbation z of a step comes from.
 *
 * <ul>
 *   <li>{@link #MEZO}: MeZO's stream, bit-compatible with the reference ({@link MezoReference}, princeton-nlp/MeZO):
 *       libtorch's generator seeded with the step seed, one {@code normal(0, 1, shape)} per parameter in
 *       {@code named_parameters()} order. One sequential Mersenne twister: drawn by one thread, in order.</li>
 *   <li>{@link #PARALLEL}: a counter-based stream ({@link CounterNormals}): z of element j of the flattened
 *       parameter vector is a function of (step seed, j) only, so any thread draws any chunk, in any order, and the
 *       blocks' update and +εz shift are fused with the draw in one pass over each chunk
 *       ({@link ParallelPerturbation}). Other numbers than MeZO's, N(0, 1) all the same; CPU working tier in fp32
 *       only.</li>
 * </ul>
 * Both modes give the same bits whatever the tier, K, storage dtype, thread count, or a resume in between; they give
 * different trajectories from each other, so a checkpoint records its mode and resuming with the other is refused.
 */
public enum ZoRng {
    MEZO,
    PARALLEL
}
