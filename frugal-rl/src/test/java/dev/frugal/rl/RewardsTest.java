package dev.frugal.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RewardsTest {
    private static final List<String> PROMPTS = List.of("a", "a", "b", "b");
    private static final List<String> DONE = List.of("x", "yy", "zzz", "w");

    @Test
    void sumsEveryReward() {
        var len = RewardFunction.named("len", (p, c) -> c.length());
        var one = RewardFunction.named("one", (p, c) -> 1);
        assertArrayEquals(new double[] {2, 3, 4, 2}, Rewards.score(List.of(len, one), PROMPTS, DONE), 0);
    }

    @Test
    void namesTheRewardAndTheSample() {
        var nan = RewardFunction.named("ratio", (p, c) -> c.length() == 3 ? Double.NaN : 0);
        var e = assertThrows(RewardException.class, () -> Rewards.score(List.of(nan), PROMPTS, DONE));
        assertEquals("ratio", e.reward());
        assertEquals(2, e.sample());
        assertTrue(e.getMessage().contains("reward 'ratio' returned NaN on sample 2"), e.getMessage());
        var thrower = RewardFunction.named("parse", (p, c) -> Integer.parseInt(c));
        var t = assertThrows(RewardException.class, () -> Rewards.score(List.of(thrower), PROMPTS, DONE));
        assertTrue(t.getMessage().startsWith("reward 'parse' threw on sample 0"), t.getMessage());
        var inf = RewardFunction.named("inf", (p, c) -> Double.POSITIVE_INFINITY);
        assertThrows(RewardException.class, () -> Rewards.score(List.of(inf), PROMPTS, DONE));
    }
}
