package dev.frugal.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on 127.0.0.1 started from a class path (the Maven test class path, or the CLI's):
 * a master process and W worker processes, each a separate JVM, and the executors the workers launch. Spark's
 * workers build executor command lines from {@code SPARK_HOME/jars/*}, so a SPARK_HOME is made with a {@code jars/}
 * folder of links to the class path's jars; class directories go to the executors through
 * {@code spark.executor.extraClassPath} ({@link #executorClassPath()}).
 */
public final class LoopbackCluster implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";
    private final Path home;
    private final int masterPort;
    private final List<Process> processes = new ArrayList<>();
    private final String dirClassPath;

    private LoopbackCluster(Path home, int masterPort, String dirClassPath) {
        this.home = home;
        this.masterPort = masterPort;
        this.dirClassPath = dirClassPath;
    }

    /**
     * Starts a master and {@code workers} workers of {@code coresPerWorker} cores each under {@code home}, and waits
     * until the master listens.
     *
     * @param classPath the class path holding Spark and frugal ({@code java.class.path} when run from Maven)
     */
    public static LoopbackCluster start(Path home, String classPath, int workers, int coresPerWorker) {
        return start(home, classPath, workers, coresPerWorker, false);
    }

    /**
     * Starts a cluster like an external one made from a Spark distribution: its {@code SPARK_HOME/jars} holds the
     * class path's jars except those {@link AppJars} ships (frugal's modules, class directories, JavaCPP / libtorch),
     * and executors get no extra class path, so an application runs on it only if it ships frugal through
     * {@code spark.jars} ({@link AppJars#forClassPath}).
     */
    public static LoopbackCluster startBare(Path home, String classPath, int workers, int coresPerWorker) {
        return start(home, classPath, workers, coresPerWorker, true);
    }

    private static LoopbackCluster start(Path home, String classPath, int workers, int coresPerWorker, boolean bare) {
        try {
            Files.createDirectories(home.resolve("jars"));
            Files.createDirectories(home.resolve("conf"));
            Files.createDirectories(home.resolve("logs"));
            Files.createDirectories(home.resolve("work"));
            Files.createDirectories(home.resolve("local"));
            List<String> dirs = new ArrayList<>(), jars = new ArrayList<>();
            for (String e : classPath.split(java.io.File.pathSeparator)) {
                if (e.isBlank()) continue;
                Path p = Path.of(e).toAbsolutePath();
                if (bare && AppJars.shipped(p)) continue;
                if (Files.isDirectory(p)) dirs.add(p.toString());
                else if (p.toString().endsWith(".jar") && Files.isRegularFile(p)) {
                    Path link = home.resolve("jars").resolve(p.getFileName());
                    jars.add(p.toString());
                    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, p);
                }
            }
            LoopbackCluster c = new LoopbackCluster(home, freePort(), String.join(java.io.File.pathSeparator, dirs));
            String daemonClassPath = bare ? String.join(java.io.File.pathSeparator, jars) : classPath;
            c.processes.add(c.java("master", daemonClassPath, "org.apache.spark.deploy.master.Master", "--host", LOOPBACK,
                    "--port", Integer.toString(c.masterPort), "--webui-port", Integer.toString(freePort())));
            c.awaitPort(c.masterPort, 60_000);
            for (int w = 0; w < workers; w++)
                c.processes.add(c.java("worker-" + w, daemonClassPath, "org.apache.spark.deploy.worker.Worker", c.masterUrl(),
                        "--host", LOOPBACK, "--cores", Integer.toString(coresPerWorker), "--memory", "2g",
                        "--webui-port", Integer.toString(freePort()), "--work-dir", home.resolve("work").toString()));
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a Spark standalone cluster under " + home, e);
        }
    }

    public String masterUrl() { return "spark://" + LOOPBACK + ":" + masterPort; }

    /** The class directories of the class path, for {@code spark.executor.extraClassPath}. */
    public String executorClassPath() { return dirClassPath; }

    /** Spark settings an application needs to run on this cluster from a driver on the same machine. */
    public Map<String, String> appConf() {
        if (dirClassPath.isEmpty()) {
            return Map.of("spark.driver.host", LOOPBACK, "spark.driver.bindAddress", LOOPBACK,
                    "spark.executor.memory", "1g", "spark.ui.enabled", "false",
                    "spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
        }
        return Map.of("spark.driver.host", LOOPBACK, "spark.driver.bindAddress", LOOPBACK,
                "spark.executor.extraClassPath", dirClassPath, "spark.executor.memory", "1g",
                "spark.ui.enabled", "false", "spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
    }

    /** The executor JVMs the workers launched (CoarseGrainedExecutorBackend processes). */
    public List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        for (Process p : processes)
            p.descendants().filter(d -> d.info().commandLine().map(c -> c.contains("CoarseGrainedExecutorBackend"))
                    .orElse(false)).forEach(out::add);
        return out;
    }

    /** Kills one executor JVM with SIGKILL (a crash, not a shutdown); returns its pid. */
    public Optional<Long> killOneExecutor() {
        List<ProcessHandle> ex = executors();
        if (ex.isEmpty()) return Optional.empty();
        ProcessHandle victim = ex.getLast();
        victim.destroyForcibly();
        return Optional.of(victim.pid());
    }

    private Process java(String name, String classPath, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", classPath));
        cmd.addAll(List.of(Pattern.compile(" ").split(DistZoTrainer.JAVA_OPENS)));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(home.resolve("logs").resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", LOOPBACK);
        pb.environment().put("SPARK_CONF_DIR", home.resolve("conf").toString());
        // the workers' scratch (each executor's copy of the application's jars, ~110 MB) under this cluster's home,
        // not in /tmp: close() kills the processes, so nothing else would delete it
        pb.environment().put("SPARK_LOCAL_DIRS", home.resolve("local").toString());
        // and every JVM's temporary files (lz4-java unpacks its native library there, 151 KB per JVM, which a killed
        // executor never deletes): executors inherit their worker's environment
        // (a home with white space in its path keeps the system's: the variable is split at spaces)
        Path tmp = Files.createDirectories(home.resolve("tmp")).toAbsolutePath();
        if (!tmp.toString().matches(".*\\s.*")) {
            String opts = pb.environment().getOrDefault("JAVA_TOOL_OPTIONS", "");
            pb.environment().put("JAVA_TOOL_OPTIONS", (opts.isBlank() ? "" : opts + " ") + "-Djava.io.tmpdir=" + tmp);
        }
        return pb.start();
    }

    private void awaitPort(int port, long timeoutMs) {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port), 500);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("the Spark master did not listen on port " + port + " within " + timeoutMs
                + " ms; see " + home.resolve("logs/master.log"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    /**
     * {@code java -cp CLASSPATH dev.frugal.spark.LoopbackCluster HOME [WORKERS]}: starts a cluster (1 core per worker),
     * prints its master URL and the executor class path, and runs until killed (then stops its processes).
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) throw new IllegalArgumentException("usage: LoopbackCluster HOME [WORKERS]");
        LoopbackCluster c = start(Path.of(args[0]), System.getProperty("java.class.path"),
                args.length > 1 ? Integer.parseInt(args[1]) : 2, 1);
        Runtime.getRuntime().addShutdownHook(new Thread(c::close));
        System.out.println(c.masterUrl());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Stops every process this cluster started (workers first, then the master), executors included. */
    @Override
    public void close() {
        for (Process p : processes.reversed()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
