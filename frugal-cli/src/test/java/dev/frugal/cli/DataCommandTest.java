package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DataCommandTest extends TempHomeCliTest {

    private int run(String... args) {
        CommandLine cl = new CommandLine(new DataCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void listOnEmptyHomeShowsEverySetMissing() {
        assertEquals(0, run("list"));
        assertTrue(out.toString().contains(home.resolve("data").toString()));
        for (String n : new String[] {"spam", "fmnist", "digits", "minilm", "gpt2-bpe"}) // each on its own row, missing
            assertTrue(out.toString().matches("(?s).*(^|\\n)" + java.util.regex.Pattern.quote(n) + "\\s+missing\\b.*"),
                    n + ": " + out);
        // every data set a command accepts is listed, the built-in one too (zo train --data spam-small)
        assertTrue(out.toString().matches("(?s).*\\nspam-small\\s+built-in.*"), out.toString());
    }

    @Test
    void unknownSetIsOneErrorLineAndNonZeroExit() {
        assertEquals(Main.EXIT_USAGE, run("fetch", "cifar10"));
        String e = err.toString().strip();
        assertTrue(e.startsWith("frugal: unknown data set 'cifar10'"), e);
        assertEquals(1, e.lines().count(), e);
        assertFalse(e.contains("Exception"));
    }

    @Test
    void fetchDigitsIntoTempHome() {
        assertEquals(0, run("fetch", "digits"), err.toString());
        assertTrue(out.toString().contains("ok"), out.toString());
        // a timed status line for the fetch (issue 13): "fetching digits   ... ok (0.4 s)"
        assertTrue(out.toString().matches("(?s)fetching digits\\s+\\.\\.\\. ok \\(\\d+\\.\\d s\\)\\R.*"), out.toString());
        StringWriter listing = new StringWriter();
        CommandLine cl = new CommandLine(new DataCommand());
        cl.setOut(new PrintWriter(listing));
        assertEquals(0, cl.execute("list"));
        assertTrue(listing.toString().matches("(?s).*digits\\s+verified.*"), listing.toString());
    }

    @Test
    void unknownOptionIsUsageErrorWithoutStackTrace() {
        assertEquals(2, run("fetch", "--bogus"));
        assertTrue(err.toString().contains("Unknown option: '--bogus'"), err.toString());
        assertFalse(err.toString().contains("\tat "));
    }

    @Test
    void prepareListsWhatItCanPrepare() {
        assertEquals(0, run("prepare"));
        assertTrue(out.toString().contains("spam-small"), out.toString());
    }
}
