package dev.frugal.zo;

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
 */
final class BlockStreamer implements AutoCloseable {
    private final BlockStore store;
    private final int k;
    private final int n;
    private final Semaphore permits;
    private final ExecutorService loader;
    private final ExecutorService writer;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<LinkedHashMap<String, Tensor>>[] loads;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Void>[] saves;
    private int nextToSchedule;

    @SuppressWarnings("unchecked")
    BlockStreamer(BlockStore store, int k, int n) {
        this.store = store;
        this.k = k;
        this.n = n;
        this.permits = new Semaphore(k);
        this.loads = new CompletableFuture[n];
        this.saves = new CompletableFuture[n];
        for (int i = 0; i < n; i++) saves[i] = CompletableFuture.completedFuture(null);
        boolean threaded = !store.zeroCopy();
        this.loader = threaded ? Executors.newSingleThreadExecutor(r -> daemon(r, "zo2-loader")) : null;
        this.writer = threaded ? Executors.newSingleThreadExecutor(r -> daemon(r, "zo2-writer")) : null;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(() -> {
            Threads.configureThisThread(1); // copies and casts; the compute thread keeps the cores
            r.run();
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts a pass over blocks 0..n−1. */
    void beginPass() {
        nextToSchedule = 0;
        schedule(0);
    }

    /** Schedules loads up to block {@code upTo + k − 1}. */
    private void schedule(int upTo) {
        if (loader == null) return;
        int last = Math.min(n - 1, upTo + k - 1);
        while (nextToSchedule <= last) {
            int i = nextToSchedule++;
            CompletableFuture<Void> pendingSave = saves[i];
            loads[i] = CompletableFuture.supplyAsync(() -> {
                permits.acquireUninterruptibly();
                pendingSave.join();
                return store.load(i);
            }, loader);
        }
    }

    /** The fp32 working copy of block {@code i} (blocks in order 0, 1, ...). */
    LinkedHashMap<String, Tensor> acquire(int i) {
        if (loader == null) return store.load(i);
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
        if (loader == null) return;
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
        if (loader == null) return;
        drain();
        loader.shutdownNow();
        writer.shutdownNow();
    }
}
