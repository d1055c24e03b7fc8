package dev.frugal.depth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.depth.sim.VibrationIntensity;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A sequence on disk:
 * <pre>
 * rgb/000000.png …   8-bit RGB frames
 * depth.f32          "FDEP", int32 N, H, W, then N·H·W float32 z-depths (cm), little-endian
 * poses.txt          one row-major 3×4 T_world←camera per frame
 * frames.csv         index,time_s
 * imu.csv            time_s,ax,ay,az,gx,gy,gz   (cm/s², rad/s, camera frame)
 * intrinsics.txt     fx fy cx cy width height
 * meta.json          vibration, seed, rates (informative)
 * </pre>
 * Reading checks everything the training needs and throws {@link DepthDataException} naming the file.
 */
public final class SequenceIo {
    private static final int MAGIC = 0x50454446; // "FDEP" little-endian

    private SequenceIo() {}

    public static void write(Path dir, Sequence s, Map<String, Object> meta) {
        try {
            Files.createDirectories(dir.resolve("rgb"));
            int w = s.width(), h = s.height();
            for (int i = 0; i < s.frames(); i++) {
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                byte[] px = s.rgb().get(i);
                int[] argb = new int[w * h];
                for (int p = 0; p < w * h; p++)
                    argb[p] = (px[3 * p] & 255) << 16 | (px[3 * p + 1] & 255) << 8 | (px[3 * p + 2] & 255);
                img.setRGB(0, 0, w, h, argb, 0, w);
                ImageIO.write(img, "png", dir.resolve("rgb").resolve(frameName(i)).toFile());
            }
            writeDepth(dir.resolve("depth.f32"), s.depth(), w, h);
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("poses.txt"))) {
                for (Se3 p : s.poses()) out.write(join(p.rowMajor34()) + "\n");
            }
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("frames.csv"))) {
                out.write("index,time_s\n");
                for (int i = 0; i < s.frames(); i++) out.write(i + "," + s.frameTimes()[i] + "\n");
            }
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("imu.csv"))) {
                out.write("time_s,ax,ay,az,gx,gy,gz\n");
                for (int i = 0; i < s.imuTimes().length; i++) {
                    StringBuilder b = new StringBuilder().append(s.imuTimes()[i]);
                    for (float v : s.imu()[i]) b.append(',').append(v);
                    out.write(b.append('\n').toString());
                }
            }
            Intrinsics k = s.intrinsics();
            Files.writeString(dir.resolve("intrinsics.txt"), k.fx() + " " + k.fy() + " " + k.cx() + " " + k.cy() + " " + w + " " + h + "\n");
            Map<String, Object> m = new LinkedHashMap<>(meta);
            m.put("vibration", s.vibration().cliName());
            m.put("frames", s.frames());
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("meta.json").toFile(), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write sequence " + dir, e);
        }
    }

    static String frameName(int i) { return String.format("%06d.png", i); }

    private static String join(double[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : " ").append(v[i]);
        return b.toString();
    }

    static void writeDepth(Path file, List<float[]> depth, int w, int h) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(depth.size()).putInt(h).putInt(w);
            ch.write(head.flip());
            ByteBuffer b = ByteBuffer.allocate(4 * w * h).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] d : depth) {
                b.clear();
                b.asFloatBuffer().put(d);
                b.limit(4 * w * h);
                ch.write(b);
            }
        }
    }

    /** Reads and checks a sequence; {@code policy} says what to do with NaN / non-positive depth. */
    public static Sequence read(Path dir, DepthPolicy policy) {
        if (!Files.isDirectory(dir)) throw new DepthDataException(dir, "is not a sequence directory; create one with `frugal depth generate`");
        Intrinsics k = readIntrinsics(dir.resolve("intrinsics.txt"));
        double[] times = readFrameTimes(dir.resolve("frames.csv"));
        int n = times.length;
        List<byte[]> rgb = new ArrayList<>(n);
        Path first = dir.resolve("rgb").resolve(frameName(0));
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve("rgb").resolve(frameName(i));
            BufferedImage img;
            try {
                img = ImageIO.read(f.toFile());
            } catch (IOException e) {
                throw new DepthDataException(f, "cannot be decoded as an image (" + e.getMessage() + ")");
            }
            if (img == null) throw new DepthDataException(f, "is missing or not an image; frames.csv lists " + n + " frames");
            if (img.getWidth() != k.width() || img.getHeight() != k.height())
                throw new DepthDataException(f, "is " + img.getWidth() + "x" + img.getHeight() + " but " + (i == 0 ? "intrinsics.txt says "
                        : first.getFileName() + " and intrinsics.txt are ") + k.width() + "x" + k.height()
                        + ": all frames of a sequence must have one size");
            int[] argb = img.getRGB(0, 0, k.width(), k.height(), null, 0, k.width());
            byte[] px = new byte[3 * argb.length];
            for (int p = 0; p < argb.length; p++) {
                px[3 * p] = (byte) (argb[p] >> 16);
                px[3 * p + 1] = (byte) (argb[p] >> 8);
                px[3 * p + 2] = (byte) argb[p];
            }
            rgb.add(px);
        }
        long[] invalid = {0};
        List<float[]> depth = readDepth(dir.resolve("depth.f32"), n, k, policy, invalid);
        List<Se3> poses = readPoses(dir.resolve("poses.txt"), n);
        double[][] imu = readImu(dir.resolve("imu.csv"));
        double[] imuTimes = imu[0];
        float[][] samples = new float[imuTimes.length][6];
        for (int i = 0; i < imuTimes.length; i++) for (int j = 0; j < 6; j++) samples[i][j] = (float) imu[1 + j][i];
        for (int f = 0; f + 1 < n; f++) {
            double a = times[f], b = times[f + 1];
            if (imuTimes.length == 0 || imuTimes[0] > a + 1e-9 || imuTimes[imuTimes.length - 1] < b - 1e-9)
                throw new DepthDataException(dir.resolve("imu.csv"), "covers " + span(imuTimes) + " but frames " + f + "–" + (f + 1)
                        + " span " + a + "–" + b + " s: the IMU stream must cover every frame pair");
            int lo = Sequence.lowerBound(imuTimes, a - 1e-9), hi = Sequence.lowerBound(imuTimes, b + 1e-9);
            if (hi - lo < 2) throw new DepthDataException(dir.resolve("imu.csv"), "has " + (hi - lo) + " samples between frames " + f
                    + " and " + (f + 1) + " (" + a + "–" + b + " s): need at least 2 per frame pair");
        }
        VibrationIntensity vib = VibrationIntensity.NONE;
        try {
            Path meta = dir.resolve("meta.json");
            if (Files.exists(meta)) {
                var node = new ObjectMapper().readTree(meta.toFile()).get("vibration");
                if (node != null) vib = VibrationIntensity.of(node.asText());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new DepthDataException(dir.resolve("meta.json"), "is unreadable: " + e.getMessage());
        }
        return new Sequence(dir.getFileName().toString(), k, rgb, depth, poses, times, imuTimes, samples, vib, invalid[0]);
    }

    /** Every sequence directory (one holding {@code frames.csv}) directly under {@code dir}, in name order. */
    public static List<Sequence> readAll(Path dir, DepthPolicy policy) {
        if (!Files.isDirectory(dir)) throw new DepthDataException(dir, "is not a directory of sequences; create one with `frugal depth generate`");
        List<Path> subs;
        try (var s = Files.list(dir)) {
            subs = s.filter(p -> Files.isDirectory(p) && Files.exists(p.resolve("frames.csv"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (subs.isEmpty()) {
            if (Files.exists(dir.resolve("frames.csv"))) return List.of(read(dir, policy));
            throw new DepthDataException(dir, "holds no sequence (no */frames.csv); create some with `frugal depth generate`");
        }
        List<Sequence> out = new ArrayList<>();
        for (Path p : subs) out.add(read(p, policy));
        return out;
    }

    private static String span(double[] t) { return t.length == 0 ? "nothing" : t[0] + "–" + t[t.length - 1] + " s"; }

    static Intrinsics readIntrinsics(Path f) {
        String text;
        try {
            text = Files.readString(f).trim();
        } catch (NoSuchFileException e) {
            throw new DepthDataException(f, "is missing: every sequence needs its camera intrinsics as 'fx fy cx cy width height'");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] p = text.split("\\s+");
        if (p.length != 6) throw new DepthDataException(f, "needs 6 numbers 'fx fy cx cy width height', found " + p.length);
        try {
            return new Intrinsics(Double.parseDouble(p[0]), Double.parseDouble(p[1]), Double.parseDouble(p[2]), Double.parseDouble(p[3]),
                    Integer.parseInt(p[4]), Integer.parseInt(p[5]));
        } catch (IllegalArgumentException e) {
            throw new DepthDataException(f, "holds bad intrinsics: " + e.getMessage());
        }
    }

    private static List<String> lines(Path f, String what) {
        try {
            return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
        } catch (NoSuchFileException e) {
            throw new DepthDataException(f, "is missing: every sequence needs its " + what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] readFrameTimes(Path f) {
        List<String> ls = lines(f, "frame timestamps");
        double[] t = new double[ls.size() - 1];
        for (int i = 1; i < ls.size(); i++) {
            String[] p = ls.get(i).split(",");
            t[i - 1] = parse(f, i + 1, p[p.length - 1]);
            if (i > 1 && !(t[i - 1] > t[i - 2])) throw new DepthDataException(f, "line " + (i + 1) + ": frame times must increase");
        }
        if (t.length < 2) throw new DepthDataException(f, "lists " + t.length + " frames; a sequence needs at least 2");
        return t;
    }

    private static double parse(Path f, int line, String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new DepthDataException(f, "line " + line + ": '" + s + "' is not a number");
        }
    }

    private static double[][] readImu(Path f) {
        List<String> ls = lines(f, "IMU stream (time_s,ax,ay,az,gx,gy,gz)");
        int n = ls.size() - 1;
        double[][] cols = new double[7][n];
        for (int i = 0; i < n; i++) {
            String[] p = ls.get(i + 1).split(",");
            if (p.length != 7) throw new DepthDataException(f, "line " + (i + 2) + " has " + p.length + " fields, expected 7 (time_s,ax,ay,az,gx,gy,gz)");
            for (int j = 0; j < 7; j++) cols[j][i] = parse(f, i + 2, p[j]);
            if (i > 0 && !(cols[0][i] > cols[0][i - 1])) throw new DepthDataException(f, "line " + (i + 2) + ": IMU times must increase");
        }
        return cols;
    }

    private static List<Se3> readPoses(Path f, int n) {
        List<String> ls = lines(f, "camera poses (12 numbers per frame)");
        if (ls.size() != n) throw new DepthDataException(f, "has " + ls.size() + " poses for " + n + " frames");
        List<Se3> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String[] p = ls.get(i).trim().split("\\s+");
            if (p.length < 12) throw new DepthDataException(f, "line " + (i + 1) + " has " + p.length + " numbers, expected 12");
            double[] m = new double[12];
            for (int j = 0; j < 12; j++) m[j] = parse(f, i + 1, p[j]);
            out.add(Se3.ofRowMajor(m));
        }
        return out;
    }

    static List<float[]> readDepth(Path f, int n, Intrinsics k, DepthPolicy policy, long[] invalid) {
        if (!Files.exists(f)) throw new DepthDataException(f, "is missing: every sequence needs its ground-truth depth");
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
            byte[] head = in.readNBytes(16);
            ByteBuffer hb = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            if (head.length < 16 || hb.getInt() != MAGIC) throw new DepthDataException(f, "is not a frugal depth file (magic FDEP)");
            int dn = hb.getInt(), h = hb.getInt(), w = hb.getInt();
            if (dn != n || w != k.width() || h != k.height())
                throw new DepthDataException(f, "holds " + dn + " maps of " + w + "x" + h + " but the sequence has " + n + " frames of "
                        + k.width() + "x" + k.height());
            List<float[]> out = new ArrayList<>(n);
            byte[] buf = new byte[4 * w * h];
            for (int i = 0; i < n; i++) {
                in.readFully(buf);
                float[] d = new float[w * h];
                ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(d);
                for (int p = 0; p < d.length; p++) {
                    if (!(d[p] > 0) || Float.isInfinite(d[p])) {
                        if (policy == DepthPolicy.REFUSE)
                            throw new DepthDataException(f, "map " + i + " pixel (" + (p % w) + ", " + (p / w) + ") is " + d[p]
                                    + ": depth must be positive and finite (use the MASK policy to ignore such pixels)");
                        d[p] = 0;
                        invalid[0]++;
                    }
                }
                out.add(d);
            }
            return out;
        } catch (java.io.EOFException e) {
            throw new DepthDataException(f, "is truncated");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
