package dev.frugal.rl;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How GRPO's G completions per prompt are scheduled onto decode slots (Infinite Sampling, arXiv 2506.22950 §3):
 * {@code full} decodes all completions at once (P·G slots); {@code micro} decodes rounds of g (a round ends with its
 * longest member, §3.1); {@code continuous} refills a slot the step its completion ends (§3.2); {@code infinite} adds a
 * length predictor, FPTAS grouping of the completions over the slots and shortest-job-first refill (§3.3). Schedules
 * change order, time and memory, never the samples.
 */
public enum SamplingMode {
    FULL("full"), MICRO("micro"), CONTINUOUS("continuous"), INFINITE("infinite");

    private final String optionName;

    SamplingMode(String optionName) { this.optionName = optionName; }

    public String optionName() { return optionName; }

    public static SamplingMode parse(String name) {
        for (SamplingMode m : values()) if (m.optionName.equals(name)) return m;
        throw new dev.frugal.InvalidSettingException("sampling", "'" + name + "' is not one of "
                + Arrays.stream(values()).map(SamplingMode::optionName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() { return optionName; }
}
