package dev.frugal.spark;

import dev.frugal.zo.ZoStep;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A worker's connection to the driver's {@link ReplayLog}. */
final class ReplayLogClient implements AutoCloseable {
    private final String address;
    private final Socket socket;
    private final BufferedReader in;
    private final PrintWriter out;

    ReplayLogClient(String address) {
        this.address = address;
        int colon = address.lastIndexOf(':');
        try {
            this.socket = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            socket.setTcpNoDelay(true);
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = new PrintWriter(socket.getOutputStream(), false, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the driver's replay log at " + address
                    + ": is spark.driver.host reachable from the executors?", e);
        }
    }

    /** Every record logged so far, in step order. */
    List<ZoStep> read() {
        out.println("READ");
        out.flush();
        List<ZoStep> r = new ArrayList<>();
        try {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("END")) return r;
                r.add(ReplayRecords.parse(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the replay log from " + address + " failed", e);
        }
        throw new UncheckedIOException(new IOException("the replay log at " + address + " closed mid-read"));
    }

    /**
     * All-gathers {@code message} through the driver's relay; while waiting, calls {@code whileWaiting} every second
     * (the task checks whether Spark killed it).
     */
    String[] gather(int attempt, long step, int rank, int n, String message, Runnable whileWaiting) {
        out.println("GATHER " + attempt + " " + step + " " + rank + " " + n + " " + message);
        out.flush();
        try {
            socket.setSoTimeout(1000);
            while (true) {
                try {
                    String line = in.readLine();
                    if (line == null) throw new IOException("the driver closed the connection");
                    return line.split("\\|", -1);
                } catch (java.net.SocketTimeoutException e) {
                    whileWaiting.run();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("step " + step + ": the all-gather through the driver at " + address
                    + " failed", e);
        }
    }

    /** Sends a step's record (not waiting: a lost record only means recomputing that step after a failure). */
    void append(ZoStep s) {
        out.println("APPEND " + ReplayRecords.format(s));
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: the driver sees the connection end
        }
    }
}
