package dev.frugal.zo;

import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The disk side of {@link DiskStreamEngine}: one IO thread that reads ahead and writes behind, two buffers each way,
 * so that the compute thread works on one chunk while the next is read and the previous one written. A step visits
 * the same chunks in the same order as the step before it (the embedding rows of the batch's tokens aside), so the
 * order each step records is the next step's read-ahead plan: after handing out a chunk, the thread reads the chunk
 * that followed it last time. A request the plan did not foresee is read at once (and waited for). Every read and
 * write goes through the one thread in submission order, so a read never overtakes the write of the same bytes.
 */
final class StreamIo implements AutoCloseable {
    record Request(String name, long from, long n) {}

    private final ParameterFiles files;
    private final MemorySegment[] reads;
    private final MemorySegment[] writes;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "zo-disk");
        t.setDaemon(true);
        return t;
    });
    private final Future<?>[] written = new Future<?>[2];
    private int writeSlot;
    private int lastSlot = 1; // the read buffer handed out last (in use until the next read)
    private Future<?> ahead;
    private Request aheadRequest;
    private List<Request> plan = List.of();
    private Map<Request, Integer> planIndex = Map.of();
    private List<Request> recording; // non-null during a planned pass
    private long waitNanos;
    private boolean overlap = true;
    private long requests;
    private long hits;

    /** Reads into {@code reads[0..1]} and writes from {@code writes[0..1]}, each as large as the largest request. */
    StreamIo(ParameterFiles files, MemorySegment[] reads, MemorySegment[] writes) {
        if (reads.length != 2 || writes.length != 2) throw new IllegalArgumentException("two buffers each way");
        this.files = files;
        this.reads = reads.clone();
        this.writes = writes.clone();
    }

    /**
     * With {@code false}, every read and write is waited for at once (no read-ahead, no write-behind): on a machine
     * whose cores the passes and the matrix products already fill, the disk thread's copies only preempt them.
     */
    void overlap(boolean on) { overlap = on; }

    /** Starts a pass that reads ahead along the last pass's order and records its own. */
    void beginPlannedPass() { recording = new ArrayList<>(); }

    /** Ends the pass: its order becomes the plan, and every write is done when this returns. */
    void endPlannedPass() {
        if (recording != null) {
            plan = recording;
            Map<Request, Integer> index = new HashMap<>();
            for (int i = 0; i < plan.size(); i++) index.putIfAbsent(plan.get(i), i);
            planIndex = index;
        }
        recording = null;
        drain();
    }

    /**
     * Elements {@code from .. from+n−1} of {@code name} in one of the read buffers (valid until the next call):
     * the chunk read ahead when it is this one, else read now.
     */
    MemorySegment read(String name, long from, long n) {
        Request want = new Request(name, from, n);
        if (recording != null) recording.add(want);
        requests++;
        int slot = -1;
        if (ahead != null) {
            await(ahead);
            if (want.equals(aheadRequest)) {
                slot = lastSlot ^ 1;
                hits++;
            }
            ahead = null;
        }
        if (slot < 0) {
            slot = lastSlot ^ 1;
            MemorySegment dst = reads[slot];
            await(io.submit(() -> files.read(name, from, n, dst)));
        }
        lastSlot = slot;
        Integer at = recording == null || !overlap ? null : planIndex.get(want);
        if (at != null && at + 1 < plan.size()) {
            Request next = plan.get(at + 1);
            MemorySegment dst = reads[slot ^ 1];
            aheadRequest = next;
            ahead = io.submit(() -> files.read(next.name(), next.from(), next.n(), dst));
        }
        return reads[slot];
    }

    /** The write buffer to fill next (waits until its previous write is done). */
    MemorySegment writeBuffer() {
        if (written[writeSlot] != null) {
            await(written[writeSlot]);
            written[writeSlot] = null;
        }
        return writes[writeSlot];
    }

    /** Writes what was put in {@link #writeBuffer()} as elements {@code from .. from+n−1} of {@code name}, behind. */
    void write(String name, long from, long n) {
        MemorySegment src = writes[writeSlot];
        written[writeSlot] = io.submit(() -> files.write(name, from, n, src));
        if (!overlap) {
            await(written[writeSlot]);
            written[writeSlot] = null;
        }
        writeSlot ^= 1;
    }

    /** Waits for the read ahead (discarded) and every write. */
    void drain() {
        if (ahead != null) {
            await(ahead);
            ahead = null;
        }
        for (int i = 0; i < 2; i++) if (written[i] != null) {
            await(written[i]);
            written[i] = null;
        }
    }

    /** Reads requested so far, and how many of them had been read ahead. */
    long requests() { return requests; }

    long hits() { return hits; }

    /** Seconds the caller has spent waiting for the IO thread. */
    double waitSeconds() { return waitNanos / 1e9; }

    private void await(Future<?> f) {
        long t0 = System.nanoTime();
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the disk", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("disk IO failed: " + e.getCause(), e.getCause());
        } finally {
            waitNanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void close() {
        try {
            drain();
        } catch (RuntimeException ignored) {
            // closing after a failure: the files are scratch
        } finally {
            io.shutdownNow();
        }
    }
}
