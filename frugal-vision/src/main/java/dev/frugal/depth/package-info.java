/**
 * V²-SfMLearner (arXiv 2412.17595): self-supervised monocular depth and ego-motion from vision plus vibration for
 * capsule endoscopy. Geometry and metrics ({@link dev.frugal.depth.Se3}, {@link dev.frugal.depth.Warp},
 * {@link dev.frugal.depth.DepthMetrics}, {@link dev.frugal.depth.TrajectoryMetrics}), the networks and losses, and
 * the training and evaluation loops; the capsule simulator lives in {@code dev.frugal.depth.sim}.
 */
package dev.frugal.depth;
