package dev.frugal.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** A picocli command run in this JVM: its exit code and what it printed to its output. */
record CommandRun(int exit, String printed) {
    static CommandRun of(Object command, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        int exit = cl.execute(args);
        return new CommandRun(exit, out.toString());
    }
}
