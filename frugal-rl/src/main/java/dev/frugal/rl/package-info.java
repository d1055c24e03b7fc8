/** Infinite Sampling: GRPO with micro sampling groups, continuous sampling and length-aware scheduling. */
package dev.frugal.rl;
