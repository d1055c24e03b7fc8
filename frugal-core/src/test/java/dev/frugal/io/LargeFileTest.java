package dev.frugal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A safetensors file over 2 GiB, read through the mapping. The file is sparse (header, then a few written pages near
 * and past the 2 GiB mark; the rest is a hole), so the test needs neither 2.2 GB of disk nor of memory: measured at
 * well under a second and a few MB of RSS. Tagged {@code large} so that it can be excluded with
 * {@code -DexcludedGroups=large}; it runs by default.
 */
@Tag("large")
class LargeFileTest {
    /** 2.2 GiB of U8: past both the int index limit of byte[] / ByteBuffer and the 2 GiB mmap limit of MappedByteBuffer. */
    static final long N = 2L * 1024 * 1024 * 1024 + 200L * 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void readsSliceNearTheEndOfA2Point2GiBSparseFile() throws IOException {
        assertTrue(Files.getFileStore(tmp).getUsableSpace() > N + (64L << 20), tmp + " has under " + (N >> 20)
                + " MiB free; the file is sparse, but a file system without sparse files would allocate all of it:"
                + " free space there, or exclude this test with -DexcludedGroups=large");
        try (Scope warm = Scope.open()) {
            Tensors.zeros(1).toLongArray(); // load libtorch first: its ~150 MB of code pages are not this test's RSS
        }
        long rss0 = rssBytes(), t0 = System.nanoTime();
        Path f = tmp.resolve("big.safetensors");
        byte[] header = SafetensorsHeader.encode(List.of(new TensorInfo("big", DType.U8, new long[] {N}, 0, N)),
                java.util.Map.of("format", "pt"));
        long dataStart = 8 + header.length;
        long tailAt = N - 4096, pastInt = (1L << 31) + 5; // data offsets: the last page, and just past 2^31
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            ch.write(head, 0);
            ch.write(ByteBuffer.wrap(pattern(4096, 7)), dataStart + tailAt); // also sets the size: ends at the file end
            ch.write(ByteBuffer.wrap(pattern(16, 99)), dataStart + pastInt);
        }
        assertEquals(dataStart + N, Files.size(f));
        try (SafetensorsFile sf = SafetensorsFile.open(f); Scope s = Scope.open()) {
            MemorySegment big = sf.bytes("big");
            assertEquals(N, big.byteSize());
            assertArrayEquals(pattern(4096, 7), big.asSlice(tailAt, 4096).toArray(ValueLayout.JAVA_BYTE), "last page");
            assertArrayEquals(pattern(16, 99), big.asSlice(pastInt, 16).toArray(ValueLayout.JAVA_BYTE), "past 2^31");
            assertEquals(0, big.get(ValueLayout.JAVA_BYTE, (1L << 31) - 1), "the hole reads as zeros");
            // libtorch reads the same bytes through a zero-copy view at an offset beyond 2 GiB
            long[] viaTorch = Tensors.viewOf(big.asSlice(N - 16, 16), DType.U8, 16).toLongArray();
            for (int i = 0; i < 16; i++) assertEquals(pattern(4096, 7)[4080 + i] & 0xff, viaTorch[i]);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000, rss = rssBytes() - rss0;
        System.out.printf("LargeFileTest: %.2f GiB file, %d ms, RSS +%d MB%n", (dataStart + N) / (double) (1L << 30),
                ms, rss >> 20);
        assertTrue(rss < 100L << 20, "RSS grew by " + (rss >> 20) + " MB: the mapping should touch only a few pages");
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + seed);
        return b;
    }

    /** Resident set size from /proc (0 where there is no /proc). */
    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        } catch (IOException | NumberFormatException e) {
            // not Linux: no measurement
        }
        return 0;
    }
}
