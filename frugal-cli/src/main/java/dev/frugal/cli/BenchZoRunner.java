package dev.frugal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one mode of {@code frugal bench zo} in a fresh process and reads back its last JSON line: a frugal worker JVM
 * ({@link BenchZoWorker}, same class path, small heap, serial GC) or the Python peer. The peer's setup installs
 * Debian's {@code python3-torch} with the OpenMP OpenBLAS ({@code libopenblas0-openmp}) when missing: the pthreads
 * OpenBLAS's spinning threads fight torch's OpenMP threads, and without any OpenBLAS torch falls back to the reference
 * BLAS. Every process gets {@code OPENBLAS_NUM_THREADS} and {@code OMP_NUM_THREADS} = the bench's thread count.
 */
final class BenchZoRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final int threads;
    private final int steps;
    private final int warmup;
    private final String size;
    private final String python;
    private final boolean setup;
    private final PrintWriter log;
    private String malloc = "engine";

    BenchZoRunner(int threads, int steps, int warmup, String size, String python, boolean setup, PrintWriter log) {
        this.threads = threads;
        this.steps = steps;
        this.warmup = warmup;
        this.size = size;
        this.python = python;
        this.setup = setup;
        this.log = log;
    }

    /** glibc's policy for freed memory in the frugal processes: engine (each mode's engine's choice), reuse or return. */
    BenchZoRunner malloc(String policy) {
        this.malloc = policy;
        return this;
    }

    /** The mode's JSON object, or {@code {"mode":..,"error":..}} when it could not run. */
    JsonNode run(BenchZoMode mode, Path dir) {
        try {
            List<String> cmd = mode.isPeer() ? peerCommand() : workerCommand(mode, dir);
            return exec(mode, cmd);
        } catch (IOException | IllegalStateException e) {
            return error(mode, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(mode, "interrupted");
        }
    }

    /**
     * {@code --profile}: one forward of the bench model part by part in a frugal worker ({@link BenchZoProfile}, C1 as
     * the in-memory worker) and in the peer ({@code bench/peers/forward_profile.py}); {@code steps} profiled forwards
     * after {@code warmup}. Returns {frugal's JSON, the peer's JSON} (an {@code error} object for a side that failed).
     */
    JsonNode[] profile() {
        try {
            JsonNode frugal = exec(BenchZoMode.INMEM, javaCommand(false, BenchZoProfile.class, size, String.valueOf(steps),
                    String.valueOf(warmup), String.valueOf(threads), malloc));
            List<String> py = peerCommand(peerScript("forward_profile.py"), "--forwards");
            return new JsonNode[] {frugal, exec(BenchZoMode.MEZO_TORCH, py)};
        } catch (IOException | IllegalStateException e) {
            return new JsonNode[] {error(BenchZoMode.INMEM, e.getMessage()), error(BenchZoMode.MEZO_TORCH, e.getMessage())};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new JsonNode[] {error(BenchZoMode.INMEM, "interrupted"), error(BenchZoMode.MEZO_TORCH, "interrupted")};
        }
    }

    private List<String> workerCommand(BenchZoMode mode, Path dir) {
        return javaCommand(mode.parallelRng(), BenchZoWorker.class, mode.key(), size, String.valueOf(steps),
                String.valueOf(warmup), String.valueOf(threads), dir.toString(), malloc);
    }

    /**
     * A worker JVM running {@code main} with {@code args}: this JVM's class path, a small heap, serial GC and C1 code
     * (the worker's Java side is glue), or C2 with {@code c2} (the parallel z stream's loops need it).
     */
    private static List<String> javaCommand(boolean c2, Class<?> main, String... args) {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xms8m", "-Xmx128m", "-XX:+UseSerialGC"));
        if (!c2) c.add("-XX:TieredStopAtLevel=1");
        c.addAll(nativeOptions());
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        c.addAll(List.of(args));
        return c;
    }

    private List<String> peerCommand() throws IOException, InterruptedException {
        return peerCommand(peerScript("mezo_torch.py"), "--steps");
    }

    /** {@code script} under Debian's PyTorch (installed first when missing), with the bench's size and counts. */
    private List<String> peerCommand(Path script, String countOption) throws IOException, InterruptedException {
        if (!peerReady()) {
            if (!setup) throw new IllegalStateException(python + " cannot import torch (or libopenblas0-openmp is"
                    + " missing): run 'apt-get install python3-torch libopenblas0-openmp', or drop --no-setup");
            installPeer();
        }
        return List.of(python, script.toString(), "--size", size, countOption, String.valueOf(steps), "--warmup",
                String.valueOf(warmup), "--threads", String.valueOf(threads));
    }

    /** {@code bench/peers/NAME} under the working directory or above this class's jar/classes. */
    static Path peerScript(String name) {
        Path rel = Path.of("bench", "peers", name);
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(BenchZoRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception e) {
            // no code source: the working directory only
        }
        for (Path s : starts) for (Path p = s; p != null; p = p.getParent())
            if (Files.isRegularFile(p.resolve(rel))) return p.resolve(rel);
        throw new IllegalStateException("cannot find " + rel + ": run the bench from the frugal checkout");
    }

    private boolean peerReady() throws InterruptedException {
        return quiet(List.of(python, "-c", "import torch")) == 0
                && quiet(List.of("dpkg-query", "-W", "-f=${Status}", "libopenblas0-openmp")) == 0;
    }

    private void installPeer() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) throw new IllegalStateException("the peer needs"
                + " python3-torch and libopenblas0-openmp: run 'sudo apt-get update && sudo apt-get install -y"
                + " python3-torch libopenblas0-openmp'");
        log.println("  setup: apt-get update && apt-get install -y python3-torch libopenblas0-openmp ...");
        log.flush();
        for (List<String> c : List.of(List.of("apt-get", "update", "-q"),
                List.of("apt-get", "install", "-y", "-q", "python3-torch", "libopenblas0-openmp"))) {
            ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            int rc = pb.start().waitFor();
            if (rc != 0) throw new IllegalStateException(String.join(" ", c) + " failed (exit " + rc + ")");
        }
        if (!peerReady()) throw new IllegalStateException(python + " still cannot import torch after the install");
    }

    private static int quiet(List<String> cmd) throws InterruptedException {
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (IOException e) {
            return -1;
        }
    }

    private JsonNode exec(BenchZoMode mode, List<String> cmd) throws IOException, InterruptedException {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("OPENBLAS_NUM_THREADS", String.valueOf(threads));
        env.put("OMP_NUM_THREADS", String.valueOf(threads));
        if (!mode.isPeer() && System.getenv("OMP_WAIT_POLICY") == null)
            env.put("OMP_WAIT_POLICY", "PASSIVE"); // what frugal's Backend sets anyway
        // frugal's Backend has libtorch ask for transparent huge pages on large tensors; the peer's PyTorch 1.13 has no
        // such switch, so its glibc gets the same advice for its large allocations: neither side pays 4 KB page faults
        if (mode.isPeer() && System.getenv("GLIBC_TUNABLES") == null) env.put("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1");
        return execJson(mode.key(), cmd, env);
    }

    /**
     * JVM options a worker needs besides the class path: unlimited JavaCPP memory, and the GPU recipe's JavaCPP/library
     * settings when this JVM has them (docs/gpu.md), so that a worker finds the same CUDA glue as its parent.
     */
    static List<String> nativeOptions() {
        List<String> c = new java.util.ArrayList<>(List.of("-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "-Dorg.bytedeco.javacpp.maxBytes=0"));
        for (String p : List.of("javacpp.platform.extension", "org.bytedeco.javacpp.pathsFirst", "java.library.path"))
            if (System.getProperty(p) != null) c.add("-D" + p + "=" + System.getProperty(p));
        return c;
    }

    /**
     * Runs {@code cmd} with {@code env} added to this process's environment and returns the last JSON line of its
     * stdout, or {@code {"mode":key,"error":...}} with the tail of its stderr when it failed.
     */
    static JsonNode execJson(String key, List<String> cmd, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path err = Files.createTempFile("frugal-bench-" + key, ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        String last = null;
        for (String line : stdout.split("\n")) if (line.startsWith("{")) last = line;
        if (rc != 0 || last == null) {
            String tail = stderr.strip();
            int nl = tail.lastIndexOf('\n', Math.max(0, tail.length() - 400));
            ObjectNode o = JSON.createObjectNode();
            o.put("mode", key);
            o.put("error", "exit " + rc + ": " + (nl < 0 ? tail : tail.substring(nl + 1)).replace('\n', ' '));
            return o;
        }
        return JSON.readTree(last);
    }

    private static JsonNode error(BenchZoMode mode, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("mode", mode.key());
        o.put("error", message);
        return o;
    }
}
