package dev.frugal.spark;

import dev.frugal.zo.ZoStep;

/** The text form of one replay-log record: {@code step seed loss₊ loss₋ g lr}, doubles as exact bit patterns. */
final class ReplayRecords {
    private ReplayRecords() {}

    static String format(ZoStep s) {
        return s.step() + " " + s.seed() + " " + bits(s.lossPlus()) + " " + bits(s.lossMinus()) + " "
                + bits(s.projectedGradient()) + " " + bits(s.lr());
    }

    /** Parses a record; throws {@link IllegalArgumentException} on a torn or foreign line. */
    static ZoStep parse(String line) {
        String[] f = line.trim().split(" ");
        if (f.length != 6) throw new IllegalArgumentException("not a replay record: '" + line + "'");
        try {
            return new ZoStep(Long.parseLong(f[0]), Long.parseLong(f[1]), dbl(f[2]), dbl(f[3]), dbl(f[4]), dbl(f[5]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a replay record: '" + line + "'", e);
        }
    }

    private static String bits(double d) { return Long.toHexString(Double.doubleToRawLongBits(d)); }

    private static double dbl(String hex) { return Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16)); }
}
