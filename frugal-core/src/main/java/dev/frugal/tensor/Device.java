package dev.frugal.tensor;

import dev.frugal.InvalidSettingException;
import java.util.Locale;

/**
 * Where a tensor lives: {@code cpu} or {@code cuda[:N]}.
 *
 * @param type  the device kind
 * @param index the CUDA ordinal, -1 for CPU
 */
public record Device(Kind type, int index) {
    /** The device kinds frugal runs on. */
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, -1);

    public Device {
        if (type == Kind.CPU && index != -1) throw new IllegalArgumentException("cpu takes no device index");
        if (type == Kind.CUDA && index < 0) throw new InvalidSettingException("device", "index must be >= 0, got cuda:" + index);
    }

    /** Parses {@code cpu}, {@code cuda} (= cuda:0) or {@code cuda:N}. */
    public static Device parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("cpu")) return CPU;
        if (v.equals("cuda")) return new Device(Kind.CUDA, 0);
        if (v.startsWith("cuda:")) {
            try {
                return new Device(Kind.CUDA, Integer.parseInt(v.substring(5)));
            } catch (NumberFormatException e) {
                throw new InvalidSettingException("device", "must be cpu, cuda or cuda:N, got '" + s + "'");
            }
        }
        throw new InvalidSettingException("device", "must be cpu, cuda or cuda:N, got '" + s + "'");
    }

    public boolean isCuda() { return type == Kind.CUDA; }

    @Override
    public String toString() { return type == Kind.CPU ? "cpu" : "cuda:" + index; }

    org.bytedeco.pytorch.Device toNative() { return new org.bytedeco.pytorch.Device(toString()); }
}
