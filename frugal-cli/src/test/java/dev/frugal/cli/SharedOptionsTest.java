package dev.frugal.cli;

import static dev.frugal.cli.FrugalCommandTest.frugal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.cli.FrugalCommandTest.Run;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The options several commands share through mixins ({@link ProgressOption}, {@link JsonLinesOption}) and helpers
 * ({@link RunDirs}, {@link FrugalCommand#configureThreads(picocli.CommandLine.Model.CommandSpec)}): one behaviour
 * wherever they are mixed in, and a bad value exits 2 naming the option.
 */
class SharedOptionsTest extends TempHomeCliTest {

    /** A command that only mixes the shared options in. */
    @Command(name = "mixed")
    static final class Mixed implements Runnable {
        @Mixin
        ProgressOption progress;
        @Mixin
        JsonLinesOption json;

        @Override
        public void run() {}
    }

    private static Mixed parse(String... args) {
        Mixed m = new Mixed();
        new CommandLine(m).parseArgs(args);
        return m;
    }

    @Test
    void progressBarIsShownUnlessTurnedOffOrThereIsNothingToCount() {
        Mixed on = parse();
        assertTrue(on.progress.shown());
        try (ProgressBar b = on.progress.bar("t", 3, "steps")) {
            assertNotNull(b);
        }
        assertNull(on.progress.bar("t", 0, "steps"));
        Mixed off = parse("--no-progress");
        assertTrue(!off.progress.shown());
        assertNull(off.progress.bar("t", 3, "steps"));
    }

    @Test
    void jsonLinesAreAppendedAndParentsCreated() throws Exception {
        Path f = home.resolve("a/b/bench.jsonl");
        Mixed m = parse("--json", f.toString());
        m.json.append("{\"bench\":\"x\",\"i\":1}");
        m.json.append("{\"i\":2}", "{\"i\":3}");
        assertEquals(List.of("{\"bench\":\"x\",\"i\":1}", "{\"i\":2}", "{\"i\":3}"), Files.readAllLines(f));
        parse().json.append("{\"nowhere\":true}"); // without --json: nothing, no failure
    }

    @Test
    void unwritableJsonFileIsAUserErrorNamingTheOption() throws Exception {
        Path dir = Files.createDirectories(home.resolve("a-directory"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> JsonLinesOption.append(dir, List.of("{}")));
        assertTrue(e.getMessage().contains("--json " + dir), e.getMessage());
        assertTrue(Main.ErrorReport.isUserError(e));
    }

    @Test
    void runDirectoryIsOutWhenGivenElseUnderFrugalHomeRuns() {
        Path given = home.resolve("mine");
        assertEquals(given, RunDirs.resolve(given, "zo"));
        assertEquals(home.toAbsolutePath().resolve("runs").resolve("zo"), RunDirs.resolve(null, "zo"));
        assertEquals(home.toAbsolutePath().resolve("runs"), RunDirs.root());
    }

    @Test
    void threadsOfACommandRunWithoutTheRootAreTheDefaultCount() {
        Mixed m = new Mixed();
        CommandLine cl = new CommandLine(m);
        assertEquals(dev.frugal.tensor.Threads.defaultCount(), FrugalCommand.configureThreads(cl.getCommandSpec()));
    }

    /** Library parameters still map to flags after the refactor, mixed-in options and {@link SettingFlags} aliases alike. */
    @Test
    void errorReportMapsParametersToFlagsThatCameFromMixins() {
        CommandLine root = Main.commandLine();
        CommandLine zoTrain = root.getSubcommands().get("zo").getSubcommands().get("train");
        assertEquals("--resident-blocks", Main.ErrorReport.flagFor("residentBlocks", zoTrain));
        assertEquals("--no-progress", Main.ErrorReport.flagFor("noProgress", zoTrain)); // a mixin inside ZoOptions
        assertEquals("--spark-master", Main.ErrorReport.flagFor("sparkMaster", zoTrain));
        assertEquals("--threads", Main.ErrorReport.flagFor("threads", zoTrain)); // from the root
        CommandLine rlTrain = root.getSubcommands().get("rl").getSubcommands().get("train");
        assertEquals("--no-progress", Main.ErrorReport.flagFor("noProgress", rlTrain));
        CommandLine distZo = root.getSubcommands().get("bench").getSubcommands().get("dist-zo");
        assertEquals("--json", Main.ErrorReport.flagFor("json", distZo));
        CommandLine dpTrain = root.getSubcommands().get("dp").getSubcommands().get("train");
        assertEquals("--trainable-blocks", Main.ErrorReport.flagFor("trainableBlocks", dpTrain));
        assertEquals("--fixed-batches", Main.ErrorReport.flagFor("fixedBatches", dpTrain));
        assertEquals("--sample-rate", Main.ErrorReport.flagFor("sampleRate", dpTrain)); // --batch only when given
        assertEquals("noSuchParameter", Main.ErrorReport.flagFor("noSuchParameter", dpTrain));
    }

    /** Where the shared options are mixed into real commands, they show in the help with the same text. */
    @ParameterizedTest
    @ValueSource(strings = {"rl train", "rl pretrain", "quickstart", "zo train"})
    void noProgressIsDocumentedAlike(String command) {
        Run r = frugal((command + " --help").split(" "));
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("--no-progress") && r.out().contains("No progress bar (e.g. in logs)."), r.describe());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bench dist-zo", "bench depth", "bench influence", "bench grpo-sampling", "bench zo", "bench dp"})
    void jsonIsDocumentedAlike(String command) {
        Run r = frugal((command + " --help").split(" "));
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("--json=FILE") && r.out().contains("Also append the JSON line(s) to FILE."), r.describe());
    }

    /** A value missing or of the wrong type: exit 2, the first line of stderr names the option. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"bench dist-zo --json | --json", "rl pretrain --out x --seed many | --seed",
            "rl pretrain --out x --no-progress=maybe | --no-progress", "zo train --model minilm --seed 1.5 | --seed",
            "--threads two info | --threads"})
    void badValueExitsTwoNamingTheOption(String line, String option) {
        Run r = frugal(line.split(" "));
        assertEquals(Main.EXIT_USAGE, r.code(), r.describe());
        assertTrue(r.errLines().get(0).contains("'" + option + "'"), option + ":\n" + r.describe());
    }
}
