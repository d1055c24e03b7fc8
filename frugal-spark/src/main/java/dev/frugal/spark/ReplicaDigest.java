package dev.frugal.spark;

import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Tensor;
import dev.frugal.zo.Zo2Engine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/** A CRC-32 over every parameter's fp32 bits in {@code named_parameters()} order: equal digests = identical replicas. */
final class ReplicaDigest {
    private ReplicaDigest() {}

    /** Flushes {@code engine} and digests the model's parameters (streamed blocks included). */
    static String of(StagedModel model, Zo2Engine<?> engine) {
        Map<String, float[]> all = new LinkedHashMap<>();
        engine.forEachBlock((i, w) -> w.forEach((n, t) -> all.put(n, t.toFloatArray())));
        CRC32 crc = new CRC32();
        for (String n : model.parameterNames()) {
            float[] v = all.containsKey(n) ? all.get(n) : model.parameter(n).toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            crc.update(b);
        }
        return String.format("%08x", crc.getValue());
    }
}
