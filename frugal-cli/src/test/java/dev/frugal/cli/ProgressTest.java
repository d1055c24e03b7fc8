package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;

/** The progress bar keeps its width whatever follows it; status lines say how long a phase took. */
class ProgressTest {
    private static final Pattern BAR = Pattern.compile("\\[([#.]+)]");

    @Test
    void barKeepsItsWidthWhenLossAndRssAreAppended() throws Exception {
        try (ProgressBar b = Progress.bar("zo spam", 100, "steps")) {
            b.stepTo(37);
            b.setExtraMessage("loss 0.6931  14.09 s/step  RSS 1179 MB and a good deal more text to push the bar out");
            Progress.FixedWidthRenderer r = new Progress.FixedWidthRenderer("steps");
            for (int width : new int[] {40, 80, 200}) {
                String line = r.render(stateOf(b), width);
                Matcher m = BAR.matcher(line);
                assertTrue(m.find(), line);
                assertEquals(Progress.BAR_WIDTH, m.group(1).length(), line);
                assertEquals(11, m.group(1).chars().filter(c -> c == '#').count(), line);
                assertTrue(line.contains("37/100 steps"), line);
            }
            String wide = r.render(stateOf(b), 400);
            assertTrue(wide.contains("RSS 1179 MB"), wide);
        }
    }

    /** The bar's state (package-private in the library: read through its own accessor by reflection). */
    private static me.tongfei.progressbar.ProgressState stateOf(ProgressBar b) throws Exception {
        var f = ProgressBar.class.getDeclaredField("progress");
        f.setAccessible(true);
        return (me.tongfei.progressbar.ProgressState) f.get(b);
    }

    @Test
    void timedPhaseEndsItsLineWithTheTime() {
        StringWriter s = new StringWriter();
        int v = Progress.timed(new PrintWriter(s, true), "evaluating on 587 test emails", () -> 42);
        assertEquals(42, v);
        assertTrue(s.toString().matches("evaluating on 587 test emails \\.\\.\\. done \\(\\d+\\.\\d s\\)\\R"), s.toString());
    }

    @Test
    void failedPhaseSaysFailed() {
        StringWriter s = new StringWriter();
        assertThrows(IllegalStateException.class, () -> Progress.timed(new PrintWriter(s, true), "importing", () -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(s.toString().startsWith("importing ... failed ("), s.toString());
    }

    @Test
    void clockIsHoursMinutesSeconds() {
        assertEquals("0:01:05", Progress.clock(java.time.Duration.ofSeconds(65)));
        assertEquals("2:00:00", Progress.clock(java.time.Duration.ofHours(2)));
    }
}
