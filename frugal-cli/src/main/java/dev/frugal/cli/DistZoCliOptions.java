package dev.frugal.cli;

import dev.frugal.spark.ParallelMode;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options that turn {@code frugal zo train} into a DistZO2 run (a picocli mixin). Without {@code --spark-master}
 * the command trains in one process.
 */
final class DistZoCliOptions {
    @Option(names = "--spark-master", paramLabel = "URL",
            description = "Train with DistZO2 on Spark: local[N] (N threads in this JVM) or spark://HOST:PORT (a standalone"
                    + " cluster whose workers see the same paths). Under spark-submit pass 'submit' to take the master from"
                    + " there. Default: one process, no Spark.")
    public String sparkMaster;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N",
            description = "Barrier tasks, one model replica each. Default: ${DEFAULT-VALUE}.")
    public int workers;

    @Option(names = "--parallel", defaultValue = "ddp", paramLabel = "ddp|pertp|2d",
            description = "ddp: each worker forwards both sides on 1/N of the batch; pertp: 2 workers, one side each;"
                    + " 2d: PertP pairs inside DDP. Default: ddp.")
    public ParallelMode parallel = ParallelMode.DDP;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "Extra Spark settings (repeatable).")
    public Map<String, String> sparkConf = new LinkedHashMap<>();

    /** Whether a distributed run was asked for. */
    public boolean enabled() { return sparkMaster != null; }

    /** The master to pass to {@link dev.frugal.spark.DistZoOptions}: null under spark-submit. */
    public String master() { return "submit".equals(sparkMaster) ? null : sparkMaster; }

    /** The parallel mode, validated against {@code --workers}. */
    public ParallelMode mode() {
        parallel.validate(workers);
        return parallel;
    }

    /**
     * The Spark settings of a run from this JVM: for a {@code spark://} master whose workers share this machine's
     * paths, executors get this JVM's class path unless {@code spark.executor.extraClassPath} is given.
     */
    public Map<String, String> sparkConf() {
        Map<String, String> c = new LinkedHashMap<>(sparkConf);
        String m = master();
        if (m != null && m.startsWith("spark://"))
            c.putIfAbsent("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        c.putIfAbsent("spark.ui.enabled", "false");
        return c;
    }
}
