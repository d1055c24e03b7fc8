package dev.frugal.cli;

import dev.frugal.io.FrugalIoException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the {@code frugal} launcher. User mistakes (typed frugal errors, failed validation) print one line,
 * {@code frugal: <message>}, and exit with {@value #EXIT_USAGE}; parameter errors print picocli's usage and exit with
 * the same code. A stack trace appears only with {@code --debug}, or for an unexpected error (exit
 * {@value #EXIT_BUG}).
 */
public final class Main {
    /** Exit code of a user mistake: bad parameter, bad input file, failed validation. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of an unexpected failure (a bug, or a native error frugal did not anticipate). */
    public static final int EXIT_BUG = 1;

    private Main() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The {@code frugal} command line with frugal's error handling, writing to stdout/stderr. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FrugalCommand());
        cl.setExecutionExceptionHandler(new ErrorReport());
        return cl;
    }

    /** Same, writing to the given streams (for tests and embedding). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl;
    }

    /** Maps an exception that escaped a subcommand to a message and an exit code. */
    static final class ErrorReport implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
            PrintWriter err = cmd.getErr();
            boolean debug = debugRequested(parsed);
            int code;
            if (isUserError(ex)) {
                err.println("frugal: " + oneLine(ex.getMessage()));
                code = EXIT_USAGE;
            } else {
                err.println("frugal: unexpected " + ex.getClass().getName() + ": " + oneLine(String.valueOf(ex.getMessage()))
                        + (debug ? "" : " (run again with --debug for the stack trace)"));
                code = EXIT_BUG;
            }
            if (debug) ex.printStackTrace(err);
            err.flush();
            return code;
        }

        /** Typed frugal errors, failed argument validation, and unreadable files: the user can fix these. */
        static boolean isUserError(Throwable ex) {
            return ex instanceof FrugalIoException || ex instanceof IllegalArgumentException
                    || ex instanceof UncheckedIOException || ex instanceof dev.frugal.zo.NonFiniteLossException;
        }

        /** {@code --debug} given at any level ({@code frugal --debug generate} or {@code frugal generate --debug}). */
        static boolean debugRequested(ParseResult parsed) {
            for (ParseResult p = parsed; p != null; p = p.subcommand())
                if (p.hasMatchedOption("--debug")) return true;
            return false;
        }

        /** The first line of a message (a native error may carry more), trimmed. */
        static String oneLine(String message) {
            if (message == null || message.isBlank()) return "(no message)";
            String m = message.strip();
            int nl = m.indexOf('\n');
            return nl < 0 ? m : m.substring(0, nl).strip();
        }
    }
}
