package dev.frugal.cli;

import dev.frugal.InvalidSettingException;
import dev.frugal.UserInputException;
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
        CommandLine cl = CliEnums.register(new CommandLine(new FrugalCommand()));
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
                err.println("frugal: " + oneLine(userMessage(ex, cmd)));
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

        /**
         * Typed frugal user errors ({@link UserInputException}: bad settings, unreadable or malformed inputs) and
         * unreadable files: the user can fix these. Anything else, {@link IllegalArgumentException} included, is a bug.
         */
        static boolean isUserError(Throwable ex) {
            return ex instanceof UserInputException || ex instanceof UncheckedIOException;
        }

        /**
         * The message of a user error; an {@link InvalidSettingException} names the library's parameter
         * ({@code residentBlocks}), which is shown as the command's flag ({@code --resident-blocks}).
         */
        static String userMessage(Throwable ex, CommandLine cmd) {
            if (ex instanceof InvalidSettingException s) return s.withParameterShownAs(flagFor(s.parameter(), cmd)).getMessage();
            return ex.getMessage();
        }

        /**
         * The flag of {@code cmd} (or of a parent command) that sets library parameter {@code parameter}:
         * {@code --} plus the kebab-case name ({@code residentBlocks} → {@code --resident-blocks}), or an alias a command
         * declares with {@link SettingFlags}. The parameter's own name when no flag matches.
         */
        static String flagFor(String parameter, CommandLine cmd) {
            String kebab = "--" + parameter.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
            for (CommandLine c = cmd; c != null; c = c.getParent()) {
                if (c.getCommand() instanceof SettingFlags f && f.settingFlags().containsKey(parameter))
                    return f.settingFlags().get(parameter);
                if (c.getCommandSpec().findOption(kebab) != null) return kebab;
            }
            return parameter;
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
