package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.InvalidSettingException;
import dev.frugal.UserInputException;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.tensor.DType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@link Main}'s error report: only user errors ({@link UserInputException}, unreadable files) exit 2 in one line; a
 * library's {@link InvalidSettingException} is shown with the command's flag; an internal
 * {@link IllegalArgumentException} (a bug) exits 1 as "unexpected" with the hint to use --debug.
 */
class ErrorReportTest {
    /** A command that throws what it is told to. */
    @Command(name = "probe-errors")
    static final class Thrower implements Callable<Integer> {
        @Option(names = "--resident-blocks")
        int residentBlocks;

        @Option(names = "--throw")
        String what;

        @Override
        public Integer call() {
            switch (what) {
                case "setting" -> {
                    OffloadConfig.host(residentBlocks, DType.BF16); // refuses 0 with an InvalidSettingException
                    throw new AssertionError("OffloadConfig accepted " + residentBlocks);
                }
                case "user" -> throw new UserInputException("data.txt: not a text file");
                default -> throw new IllegalArgumentException("index 7 out of range (an internal invariant)");
            }
        }
    }

    private record Result(int code, String err) {}

    private static Result run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Thrower());
        cl.setExecutionExceptionHandler(new Main.ErrorReport());
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), err.toString());
    }

    @Test
    void invalidSettingNamesTheFlag() {
        Result r = run("--resident-blocks", "0", "--throw", "setting");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertEquals("frugal: --resident-blocks must be >= 1, got 0", r.err().strip());
    }

    @Test
    void userInputIsOneLine() {
        Result r = run("--throw", "user");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertEquals("frugal: data.txt: not a text file", r.err().strip());
    }

    @Test
    void internalIllegalArgumentIsABug() {
        Result r = run("--throw", "bug");
        assertEquals(Main.EXIT_BUG, r.code(), r.err());
        assertTrue(r.err().startsWith("frugal: unexpected java.lang.IllegalArgumentException"), r.err());
        assertTrue(r.err().contains("--debug"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }
}
