package dev.frugal.spark;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Threads;
import dev.frugal.zo.CausalLmObjective;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.NonFiniteLossException;
import dev.frugal.zo.PerturbedLosses;
import dev.frugal.zo.TrainerState;
import dev.frugal.zo.Zo2Engine;
import dev.frugal.zo.ZoCheckpoint;
import dev.frugal.zo.ZoHyperparameters;
import dev.frugal.zo.ZoStep;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one long-running barrier task: a model replica and its ZO2 engine for the whole run.
 * <ol>
 *   <li>Start-up: rank 0 picks the latest checkpoint c and the replay log's length L and tells everyone (allGather);
 *       every worker loads checkpoint c (or the initial model) and replays the logged steps c..L−1 with
 *       {@link Zo2Engine#replay} (no forwards), flushing where the original run flushed.</li>
 *   <li>Each step t ≥ L: forward this worker's sides on its shard of the batch of t, all-gather one line of scalars,
 *       combine them into g ({@link ScalarExchange}), defer the identical update (seed(t), g, lr) on every replica;
 *       rank 0 logs the step to the driver and writes the periodic checkpoints. The gather goes through the driver's
 *       relay or Spark's allGather ({@link ScalarTransport}).</li>
 * </ol>
 * Returns text lines to the driver: rank 0 the history; every rank a digest of its final parameters and the time of each
 * step's forwards and exchange ({@link StepPhases}).
 */
final class BarrierWorker extends AbstractFunction1<Iterator<Integer>, Iterator<String>> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final DistZoOptions o;
    private final LmBatchSource data;
    private final String logAddress;

    BarrierWorker(DistZoOptions o, LmBatchSource data, String logAddress) {
        this.o = o;
        this.data = data;
        this.logAddress = logAddress;
    }

    @Override
    public Iterator<String> apply(Iterator<Integer> ignored) {
        return CollectionConverters.asScala(train(BarrierTaskContext.get()).iterator());
    }

    private List<String> train(BarrierTaskContext ctx) {
        long started = System.nanoTime();
        int rank = ctx.partitionId(), n = o.workers();
        WorkerRole role = o.mode().role(rank, n);
        ZoHyperparameters hp = o.hyperparameters();
        Threads.configureThisThread(o.threadsPerWorker());
        Path ckRoot = Path.of(o.checkpointDir());
        List<String> out = new ArrayList<>();
        try (ReplayLogClient log = new ReplayLogClient(logAddress)) {
            // 1. agree on where to start: rank 0's view of (checkpoint, log length) is everyone's
            String plan = "";
            if (rank == 0) {
                Optional<Path> ck = ZoCheckpoint.latest(ckRoot);
                plan = log.read().size() + " " + ck.map(Path::toString).orElse("-");
            }
            String[] plans = ctx.allGather(plan);
            String[] p0 = plans[0].split(" ", 2);
            int logged = Integer.parseInt(p0[0]);
            Path ck = p0[1].equals("-") ? null : Path.of(p0[1]);
            List<ZoStep> records = log.read().subList(0, logged);
            TrainerState state = ck == null ? null : ZoCheckpoint.readState(ck);
            if (state != null && state.rng() != hp.rng()) throw new dev.frugal.InvalidSettingException("rng", "is " + hp.rng()
                    + " but the checkpoint " + ck + " drew z from " + state.rng() + ": resume with the same stream (the"
                    + " other gives another trajectory)");
            long c = state == null ? 0 : state.completed();
            List<ZoStep> history = new ArrayList<>(state == null ? List.of() : state.history());
            if (rank == 0) for (long t = logged; t < c; t++) log.append(history.get((int) t)); // log behind checkpoint
            try (CausalLM model = Models.loadCausalLM(ck == null ? Path.of(o.modelDir()) : ck, Device.CPU);
                 Zo2Engine<LmBatch> engine = new Zo2Engine<>(model, new CausalLmObjective(), hp, o.offload(rank))) {
                // 2. replay the logged steps after the checkpoint: no forwards
                for (long t = c; t < logged; t++) {
                    ZoStep r = records.get((int) t);
                    if (r.seed() != hp.stepSeed(t)) throw new IllegalStateException("replay log step " + t
                            + " has seed " + r.seed() + ", not this run's " + hp.stepSeed(t) + ": the log in "
                            + ckRoot + " belongs to another run; use a fresh --checkpoint-dir");
                    engine.replay(r);
                    history.add(r);
                    if (flushesAfter(t)) engine.flush();
                }
                long start = Math.max(c, logged);
                double setup = (System.nanoTime() - started) / 1e9;
                long bytes = 0, loop = System.nanoTime();
                // 3. train
                StringBuilder times = new StringBuilder(), phases = new StringBuilder();
                for (long t = start; t < o.steps(); t++) {
                    long stepStart = System.nanoTime(), fwdNs, xchgNs;
                    ctx.killTaskIfInterrupted();
                    if (t == o.failAtStep() && ctx.stageAttemptNumber() == 0 && rank == Math.min(1, n - 1))
                        throw new IllegalStateException("injected failure before step " + t + " (testing)");
                    long seed = hp.stepSeed(t);
                    PerturbedLosses l;
                    try (Scope s = Scope.open()) {
                        LmBatch shard = LmBatchSource.shard(data.batch(t), role.shard(), role.shards());
                        long f0 = System.nanoTime();
                        l = engine.perturbedLosses(t, seed, shard, role.sides());
                        fwdNs = System.nanoTime() - f0;
                    } catch (NonFiniteLossException e) {
                        l = new PerturbedLosses(Double.NaN, Double.NaN);
                        fwdNs = 0;
                    }
                    String msg = ScalarExchange.encode(t, l);
                    long x0 = System.nanoTime();
                    String[] gathered = switch (o.transport()) {
                        case BARRIER_ALL_GATHER -> ctx.allGather(msg);
                        case DRIVER_RELAY -> log.gather(ctx.stageAttemptNumber(), t, rank, n, msg,
                                ctx::killTaskIfInterrupted);
                    };
                    xchgNs = System.nanoTime() - x0;
                    bytes += ScalarExchange.payloadBytes(gathered);
                    ZoStep step = ScalarExchange.combine(t, seed, gathered, o.mode(), hp.eps(), hp.lr());
                    if (!Double.isFinite(step.projectedGradient())) {
                        out.add("error " + new NonFiniteLossException(t, step.lossPlus(), step.lossMinus()).getMessage());
                        return out;
                    }
                    engine.defer(seed, step.projectedGradient(), step.lr());
                    history.add(step);
                    if (rank == 0) log.append(step);
                    times.append(times.isEmpty() ? "" : ",").append((System.nanoTime() - stepStart) / 1e9);
                    phases.append(phases.isEmpty() ? "" : ",").append(fwdNs / 1e9).append(':').append(xchgNs / 1e9);
                    if (flushesAfter(t) || t + 1 == o.steps()) {
                        engine.flush();
                        if (rank == 0) ZoCheckpoint.save(ckRoot, model, engine, state(hp, history));
                    }
                }
                engine.flush();
                double train = (System.nanoTime() - loop) / 1e9;
                out.add("digest " + rank + " " + ReplicaDigest.of(model, engine));
                if (!phases.isEmpty()) out.add("phases " + rank + " " + phases);
                if (rank == 0) {
                    out.add("attempt " + ctx.stageAttemptNumber());
                    out.add("resumed " + c + " " + logged);
                    out.add("setup " + setup);
                    out.add("bytes " + bytes);
                    out.add("train " + train);
                    if (!times.isEmpty()) out.add("times " + times);
                    for (ZoStep s : history) out.add("step " + ReplayRecords.format(s));
                    ZoCheckpoint.latest(ckRoot).ifPresent(d -> out.add("checkpoint " + d));
                }
            }
        }
        return out;
    }

    private boolean flushesAfter(long t) { return o.checkpointEvery() > 0 && (t + 1) % o.checkpointEvery() == 0; }

    private TrainerState state(ZoHyperparameters hp, List<ZoStep> history) {
        return new TrainerState(TrainerState.FORMAT, history.size(), hp.seed(), hp.eps(), hp.lr(), hp.weightDecay(),
                o.offload(0).storageDtype().name(), history, hp.rng());
    }
}
