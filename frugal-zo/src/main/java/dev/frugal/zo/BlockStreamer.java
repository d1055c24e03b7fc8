package dev.frugal.zo;

import dev.frugal.tensor.Cuda;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Threads;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Streams blocks through a working tier of at most K blocks: a loader thread reads and up-casts block i+1 (up to
 * i+K−1) while block i computes, and a writer thread down-casts and writes back block i−1. A block counts against K
 * from the start of its load until its write-back completes. A block is never loaded while its previous write-back is
 * still in flight.
 *
 * <p>A pass may carry a {@link Preparation}: work the loader thread does on each block right after loading it, in
 * block order, before the compute thread acquires it (ZO2's update of step t−1 and the +εz perturbation of step t,
 * including drawing z). It overlaps that work with the previous block's forwards. With a zero-copy store (everything
 * resident) there is nothing to load or write back; the loader thread then only prepares, at most K blocks ahead.
 */
final class BlockStreamer implements AutoCloseable {
    /** Work on block {@code i}'s freshly loaded fp32 tensors, on the loader thread; its result goes to the compute thread. */
    @FunctionalInterface
    interface Preparation {
        LinkedHashMap<String, Tensor> prepare(int i, LinkedHashMap<String, Tensor> working);
    }

    /** A block handed to the compute thread: its fp32 tensors and what the pass's preparation returned (or null). */
    record Loaded(LinkedHashMap<String, Tensor> working, LinkedHashMap<String, Tensor> prepared) {}

    private final BlockStore store;
    private final int k;
    private final int n;
    private final Semaphore permits;
    private final ExecutorService loader;
    private final ExecutorService writer;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Loaded>[] loads;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Void>[] saves;
    private int nextToSchedule;
    private Preparation preparation;
    private final Device device;

    /** A streamer whose working tier is on the CPU. */
    BlockStreamer(BlockStore store, int k, int n) { this(store, k, n, Device.CPU); }

    /**
     * A streamer for a working tier on {@code device}. For a CUDA device the loader and writer threads each work on a
     * side stream of their own (uploads, the preparation, write-backs overlap the compute stream), and a block is
     * handed on only once its stream's work has finished.
     */
    @SuppressWarnings("unchecked")
    BlockStreamer(BlockStore store, int k, int n, Device device) {
        this.device = device;
        this.store = store;
        this.k = k;
        this.n = n;
        this.permits = new Semaphore(k);
        this.loads = new CompletableFuture[n];
        this.saves = new CompletableFuture[n];
        for (int i = 0; i < n; i++) saves[i] = CompletableFuture.completedFuture(null);
        this.loader = Executors.newSingleThreadExecutor(r -> daemon(r, "zo2-loader", device));
        this.writer = store.zeroCopy() ? null : Executors.newSingleThreadExecutor(r -> daemon(r, "zo2-writer", device));
    }

    private static Thread daemon(Runnable r, String name, Device device) {
        Thread t = new Thread(() -> {
            Threads.configureThisThread(1); // copies, casts, z draws: the compute thread keeps the cores' ATen pool
            if (device.isCuda()) Cuda.useSideStream(device);
            r.run();
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts a pass over blocks 0..n−1 without preparation. */
    void beginPass() { beginPass(null); }

    /** Starts a pass over blocks 0..n−1 whose blocks the loader thread prepares with {@code prep} (null: none). */
    void beginPass(Preparation prep) {
        preparation = prep;
        nextToSchedule = 0;
        schedule(0);
    }

    /** Schedules loads up to block {@code upTo + k − 1}. */
    private void schedule(int upTo) {
        int last = Math.min(n - 1, upTo + k - 1);
        Preparation prep = preparation;
        while (nextToSchedule <= last) {
            int i = nextToSchedule++;
            CompletableFuture<Void> pendingSave = saves[i];
            loads[i] = CompletableFuture.supplyAsync(() -> {
                permits.acquireUninterruptibly();
                try {
                    pendingSave.join();
                    LinkedHashMap<String, Tensor> w = store.load(i);
                    if (prep == null) return new Loaded(w, null);
                    try (Scope s = Scope.open()) {
                        Loaded l = new Loaded(w, prep.prepare(i, w));
                        if (device.isCuda()) Cuda.syncCurrentStream(device); // the compute stream reads it next
                        return l;
                    }
                } catch (RuntimeException | Error e) {
                    permits.release();
                    throw e;
                }
            }, loader);
        }
    }

    /** Block {@code i} (blocks in order 0, 1, ...): its fp32 working tensors and its preparation's result. */
    Loaded acquire(int i) {
        schedule(i);
        try {
            return loads[i].get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading block " + i, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("loading offloaded block " + i + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } finally {
            loads[i] = null;
        }
    }

    /** Hands block {@code i} back: written back asynchronously when {@code dirty}, then its slot is freed. */
    void release(int i, LinkedHashMap<String, Tensor> working, boolean dirty) {
        if (device.isCuda()) Cuda.syncCurrentStream(device); // the compute stream's kernels on it are done
        if (store.zeroCopy()) {
            permits.release();
            return;
        }
        if (!dirty) {
            store.discard(working);
            permits.release();
            return;
        }
        saves[i] = CompletableFuture.runAsync(() -> {
            try {
                store.save(i, working);
            } finally {
                permits.release();
            }
        }, writer);
    }

    /** Waits until every write-back has reached the store. */
    void drain() {
        for (int i = 0; i < n; i++) {
            try {
                saves[i].join();
            } catch (RuntimeException e) {
                throw new IllegalStateException("writing back block " + i + " failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        drain();
        loader.shutdownNow();
        if (writer != null) writer.shutdownNow();
    }
}
