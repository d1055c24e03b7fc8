package dev.frugal.cli;

import dev.frugal.tensor.PeakRss;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's first-hour findings at the command line: {@code zo --help} works like every other group; runs go under
 * {@code $FRUGAL_HOME/runs} (documented in every {@code --help}), not into whatever directory the user stands in; the
 * quickstart's settings are what the README says.
 */
class FirstHourTest extends TempHomeCliTest {
    @Test
    void zoHelpWorksLikeEveryOtherGroup() {
        for (String group : new String[] {"zo", "dp", "data", "bench"}) {
            FrugalCommandTest.Run r = FrugalCommandTest.frugal(group, "--help");
            assertEquals(0, r.code(), group + ": " + r.describe());
            assertTrue(r.out().contains("Usage: frugal " + group), r.describe());
        }
        FrugalCommandTest.Run bare = FrugalCommandTest.frugal("zo");
        assertEquals(Main.EXIT_USAGE, bare.code(), bare.describe());
        assertTrue(bare.err().contains("Missing required subcommand") && bare.err().contains("train"), bare.describe());
    }

    @Test
    void runDirectoriesDefaultToFrugalHomeRuns() {
        assertEquals(home.toAbsolutePath().resolve("runs").resolve("zo"), RunDirs.resolve(null, "zo"));
        assertEquals(Path.of("mine"), RunDirs.resolve(Path.of("mine"), "zo"));
        for (String[] cmd : new String[][] {{"zo", "train", "--help"}, {"dp", "train", "--help"}, {"quickstart", "--help"}}) {
            FrugalCommandTest.Run r = FrugalCommandTest.frugal(cmd);
            assertEquals(0, r.code(), r.describe());
            String flat = r.out().replaceAll("\\s+", " ");
            assertTrue(flat.contains("$FRUGAL_HOME/runs/"), String.join(" ", cmd) + " does not name its run directory:\n" + r.out());
            assertTrue(!flat.contains("frugal-runs") && !flat.contains("dp-run"), r.out());
        }
    }

    @Test
    void quickstartSettingsStartFromAZeroHeadOnTheFullCorpus() {
        ZoTrainCommand.ZoOptions o = QuickstartCommand.settings(QuickstartCommand.DEFAULT_STEPS, Path.of("x"));
        assertEquals(ZoTrainCommand.HeadInit.zero, o.headInit);
        assertEquals("spam", o.data);
        assertEquals(dev.frugal.zo.OffloadTier.HOST, o.offload);
        assertEquals(dev.frugal.tensor.DType.BF16, o.storageDtype);
        // the settings are valid for the engine and the trainer
        o.offloadConfig();
        o.hyperparameters();
        new dev.frugal.zo.ZoTrainer.Settings(o.steps, Math.max(1, o.steps / 2), 0, null);
    }

    @Test
    void zeroHeadEvaluationIsLn2AndTheHamShare() {
        java.util.List<dev.frugal.data.SpamEmail> e = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) e.add(new dev.frugal.data.SpamEmail("h" + i, "easy-ham-1", 0, "x", "h"));
        for (int i = 0; i < 3; i++) e.add(new dev.frugal.data.SpamEmail("s" + i, "spam-1", 1, "x", "h"));
        var ev = QuickstartRun.zeroHeadEvaluation(e);
        assertEquals(0.7, ev.accuracy(), 1e-12);
        assertEquals(Math.log(2), ev.loss(), 1e-15);
        assertEquals(3, ev.confusion()[1][0]);
        assertEquals(10, ev.n());
    }

    @Test
    void negativeQuickstartStepsAreAUserError() {
        FrugalCommandTest.Run r = FrugalCommandTest.frugal("quickstart", "--steps", "-1");
        assertEquals(Main.EXIT_USAGE, r.code(), r.describe());
        assertTrue(r.err().contains("--steps must be >= 0, got -1") && !r.err().contains("\tat "), r.describe());
    }

    @Test
    void peakRssResetsToTheCurrentSize() {
        assertTrue(PeakRss.peakMb() > 0, "VmHWM readable on Linux");
        try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open()) { // 256 MB written, then given back to the OS
            dev.frugal.tensor.Tensors.ones(dev.frugal.tensor.DType.F32, dev.frugal.tensor.Device.CPU, 64L << 20);
        }
        double peak = PeakRss.peakMb(), current = PeakRss.currentMb();
        assertTrue(peak - current > 150, "the freed tensor should stay in the peak only: peak " + peak + ", current " + current);
        assertTrue(PeakRss.reset(), "clear_refs writable for our own process");
        assertTrue(PeakRss.peakMb() <= PeakRss.currentMb() + 32, PeakRss.peakMb() + " vs " + PeakRss.currentMb());
    }
}
