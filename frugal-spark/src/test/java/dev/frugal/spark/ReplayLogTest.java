package dev.frugal.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.zo.PerturbedLosses;
import dev.frugal.zo.PerturbedSides;
import dev.frugal.zo.ZoStep;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's replay log and relay, the scalar exchange and the worker roles, without Spark. */
class ReplayLogTest {
    @TempDir
    Path tmp;

    static ZoStep step(long t) { return new ZoStep(t, 1000 + t, 6.5 + t * 1e-7, 6.4 - t * 0.1, Math.PI * t, 1e-6); }

    @Test
    void recordsAreExactDurableIdempotentAndGapFree() throws Exception {
        Path f = tmp.resolve("replay.log");
        try (ReplayLog log = ReplayLog.open(f, InetAddress.getLoopbackAddress());
             ReplayLogClient c = new ReplayLogClient(log.address())) {
            for (int t = 0; t < 3; t++) c.append(step(t));
            c.append(step(1));                                   // a retried step: identical, ignored
            c.append(new ZoStep(1, 1001, 0, 0, 0, 1e-6));       // a different record for step 1: a problem
            c.append(step(7));                                   // a gap: a problem
            List<ZoStep> read = c.read();                        // READ follows the APPENDs on one connection
            assertEquals(List.of(step(0), step(1), step(2)), read, "bit-exact doubles through the text form");
            assertEquals(2, log.problems().size(), log.problems().toString());
        }
        Files.writeString(f, "3 1003 0 0", StandardOpenOption.APPEND); // a torn last line (crash mid-write)
        try (ReplayLog log = ReplayLog.open(f, InetAddress.getLoopbackAddress())) {
            assertEquals(List.of(step(0), step(1), step(2)), log.records(), "reopened without the torn line");
            log.append(step(3));
            assertEquals(4, Files.readAllLines(f).size());
        }
    }

    @Test
    void relayGathersEveryWorkersLineInRankOrder() throws Exception {
        try (ReplayLog log = ReplayLog.open(tmp.resolve("r.log"), InetAddress.getLoopbackAddress());
             var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) { // the gathers block until all 4 arrive
            List<CompletableFuture<String[]>> f = new java.util.ArrayList<>();
            for (int r = 3; r >= 0; r--) {
                int rank = r;
                f.add(CompletableFuture.supplyAsync(() -> {
                    try (ReplayLogClient c = new ReplayLogClient(log.address())) {
                        return c.gather(0, 5, rank, 4, "5 msg" + rank, () -> {});
                    }
                }, pool));
            }
            for (CompletableFuture<String[]> x : f)
                assertEquals(List.of("5 msg0", "5 msg1", "5 msg2", "5 msg3"),
                        List.of(x.get(60, java.util.concurrent.TimeUnit.SECONDS)));
        }
    }

    @Test
    void exchangeCombinesShardsLikeTheSingleProcessFormula() {
        double eps = 1e-3;
        PerturbedLosses plus = new PerturbedLosses(6.25, Double.NaN), minus = new PerturbedLosses(Double.NaN, 6.125);
        String[] pertp = {ScalarExchange.encode(4, plus), ScalarExchange.encode(4, minus)};
        ZoStep s = ScalarExchange.combine(4, 9, pertp, ParallelMode.PERTP, eps, 0.1);
        assertEquals((6.25 - 6.125) / (2 * eps), s.projectedGradient(), 0.0, "PertP: the single-process g exactly");
        String[] ddp = {ScalarExchange.encode(4, new PerturbedLosses(6.0, 5.0)), ScalarExchange.encode(4,
                new PerturbedLosses(7.0, 5.0))};
        ZoStep d = ScalarExchange.combine(4, 9, ddp, ParallelMode.DDP, eps, 0.1);
        assertEquals(((6.0 - 5.0) / (2 * eps) + (7.0 - 5.0) / (2 * eps)) / 2, d.projectedGradient(), 1e-9);
        assertEquals(6.5, d.lossPlus(), 0.0);
        assertThrows(IllegalStateException.class, () -> ScalarExchange.combine(5, 9, ddp, ParallelMode.DDP, eps, 0.1),
                "a message of another step is refused");
    }

    @Test
    void rolesCoverEveryShardAndSide() {
        assertEquals(new WorkerRole(3, 1, 2, PerturbedSides.MINUS), ParallelMode.TWO_D.role(3, 4));
        assertEquals(new WorkerRole(1, 0, 1, PerturbedSides.MINUS), ParallelMode.PERTP.role(1, 2));
        assertEquals(new WorkerRole(2, 2, 3, PerturbedSides.BOTH), ParallelMode.DDP.role(2, 3));
        var e = assertThrows(dev.frugal.InvalidSettingException.class, () -> ParallelMode.PERTP.validate(3));
        assertTrue(e.getMessage().contains("2d"), e.getMessage());
        assertEquals("workers", e.parameter());
        assertThrows(dev.frugal.InvalidSettingException.class, () -> ParallelMode.TWO_D.validate(3));
        assertEquals(ParallelMode.TWO_D, ParallelMode.parse("2d"));
    }
}
