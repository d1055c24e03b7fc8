package dev.frugal.spark;

import dev.frugal.zo.ZoStep;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The driver's append-only replay log of DistZO2 steps, {@code (step, seed, loss₊, loss₋, g, lr)} per line, each
 * append forced to disk. With it a replica rebuilds any step's state from the last checkpoint by regenerating z from
 * the seed and applying −lr·g·z, without a forward pass. Workers reach it over a small TCP service on the driver:
 * rank 0 sends {@code APPEND record} after every step's exchange; a (re)started worker sends {@code READ} and gets
 * every record, then {@code END}. Records are idempotent: a record for a step already logged must be identical (a
 * retried step is deterministic), and a gap is refused; both are reported by {@link #problems()}. The same service
 * relays the per-step all-gather of {@link ScalarTransport#DRIVER_RELAY}: {@code GATHER attempt step rank n message}
 * is answered with every worker's message, {@code |}-separated, once all n have arrived.
 */
public final class ReplayLog implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final List<ZoStep> records = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final StepRelay relay = new StepRelay();
    private final ServerSocket server;
    private final Thread acceptor;

    private ReplayLog(Path file, InetAddress bind) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        long good = 0;
        if (Files.exists(file)) { // reopen: keep the complete records, cut a torn last line
            byte[] all = Files.readAllBytes(file);
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] != '\n') continue;
                records.add(ReplayRecords.parse(new String(all, start, i - start, StandardCharsets.UTF_8)));
                start = i + 1;
                good = start;
            }
        }
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.truncate(good);
        channel.position(good);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(bind, 0));
        this.acceptor = Thread.ofPlatform().daemon().name("frugal-replay-log").start(this::accept);
    }

    /**
     * Opens (or reopens, continuing) the log at {@code file} and serves it on {@code bind}.
     *
     * @throws UncheckedIOException when the file or the socket cannot be opened
     */
    public static ReplayLog open(Path file, InetAddress bind) {
        try {
            return new ReplayLog(file, bind);
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException("cannot open the replay log " + file + " (" + e.getMessage()
                    + "); point --checkpoint-dir at a writable directory, or delete a log of another run", e instanceof
                    IOException io ? io : new IOException(e));
        }
    }

    /** host:port where workers reach the log. */
    public String address() { return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort(); }

    public Path file() { return file; }

    /** A copy of the records so far. */
    public synchronized List<ZoStep> records() { return List.copyOf(records); }

    /** Inconsistencies seen (a different record for a logged step, or a gap); empty in a healthy run. */
    public synchronized List<String> problems() { return List.copyOf(problems); }

    /** Appends {@code s} durably, or checks it against the record already logged for its step. */
    public synchronized void append(ZoStep s) {
        if (s.step() < records.size()) {
            if (!records.get((int) s.step()).equals(s))
                problems.add("step " + s.step() + " was logged as " + records.get((int) s.step()) + " and again as " + s);
            return;
        }
        if (s.step() > records.size()) {
            problems.add("step " + s.step() + " arrived with only " + records.size() + " steps logged");
            return;
        }
        try {
            channel.write(ByteBuffer.wrap((ReplayRecords.format(s) + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the replay log " + file, e);
        }
        records.add(s);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(s.getOutputStream(), false, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("APPEND ")) {
                    append(ReplayRecords.parse(line.substring(7)));
                } else if (line.startsWith("GATHER ")) { // GATHER attempt step rank n message
                    String[] f = line.split(" ", 6);
                    int attempt = Integer.parseInt(f[1]);
                    relay.forgetBefore(attempt);
                    String[] all = relay.gather(attempt, Long.parseLong(f[2]), Integer.parseInt(f[3]),
                            Integer.parseInt(f[4]), f[5]);
                    out.println(String.join("|", all));
                    out.flush();
                } else if (line.equals("READ")) {
                    for (ZoStep r : records()) out.println(ReplayRecords.format(r));
                    out.println("END");
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                if (!(e instanceof IOException)) problems.add("replay log service: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(1000);
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the replay log " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
