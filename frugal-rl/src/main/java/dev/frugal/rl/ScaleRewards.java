package dev.frugal.rl;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The denominator of the group-relative advantage (TRL's {@code scale_rewards}):
 * {@code A_i = (r_i − mean_group(r)) / (std + 1e-4)} where std is the group's ({@code group}), the whole batch's
 * ({@code batch}, after Liu et al.'s "Understanding R1-Zero", which keeps the group mean), or no scaling at all
 * ({@code none}: {@code A_i = r_i − mean_group(r)}). Standard deviations are unbiased (Bessel), as TRL's
 * {@code nanstd}.
 */
public enum ScaleRewards {
    GROUP("group"), BATCH("batch"), NONE("none");

    private final String optionName;

    ScaleRewards(String optionName) { this.optionName = optionName; }

    public String optionName() { return optionName; }

    public static ScaleRewards parse(String name) {
        for (ScaleRewards s : values()) if (s.optionName.equals(name)) return s;
        throw new dev.frugal.InvalidSettingException("scaleRewards", "'" + name + "' is not one of "
                + Arrays.stream(values()).map(ScaleRewards::optionName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() { return optionName; }
}
