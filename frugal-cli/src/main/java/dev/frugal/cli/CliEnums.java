package dev.frugal.cli;

import dev.frugal.dp.ClipMode;
import dev.frugal.dp.ClippingAlgorithm;
import dev.frugal.dp.DpOptimizer;
import dev.frugal.fewshot.BnStatistics;
import dev.frugal.spark.ParallelMode;
import dev.frugal.tensor.DType;
import dev.frugal.zo.OffloadTier;
import dev.frugal.zo.ZoRng;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters from the command line's spellings to the libraries' enums: a constant is written in lower case
 * with {@code -} for {@code _} ({@code PER_LAYER} → {@code per-layer}); a few enums keep their own spelling
 * ({@code 2d}, dtypes). A wrong value is a parameter error naming the option and the values allowed.
 */
final class CliEnums {
    private CliEnums() {}

    /** The command-line spelling of {@code e}. */
    static String spelling(Enum<?> e) { return e.name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    static <E extends Enum<E>> E parse(Class<E> type, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (E e : type.getEnumConstants()) if (spelling(e).equals(v)) return e;
        throw new TypeConversionException("'" + value + "' is not one of " + Arrays.stream(type.getEnumConstants())
                .map(CliEnums::spelling).collect(Collectors.joining(", ")));
    }

    /** Registers the converters of every library enum an option takes. */
    static CommandLine register(CommandLine cl) {
        return cl.registerConverter(ClipMode.class, new ClipModeConverter())
                .registerConverter(ClippingAlgorithm.class, new AlgorithmConverter())
                .registerConverter(DpOptimizer.class, new OptimizerConverter())
                .registerConverter(OffloadTier.class, new OffloadTierConverter())
                .registerConverter(ParallelMode.class, new ParallelModeConverter())
                .registerConverter(ZoRng.class, new ZoRngConverter())
                .registerConverter(BnStatistics.class, new BnStatisticsConverter());
    }

    static final class ClipModeConverter implements ITypeConverter<ClipMode> {
        @Override
        public ClipMode convert(String v) { return parse(ClipMode.class, v); }
    }

    static final class AlgorithmConverter implements ITypeConverter<ClippingAlgorithm> {
        @Override
        public ClippingAlgorithm convert(String v) { return parse(ClippingAlgorithm.class, v); }
    }

    static final class OptimizerConverter implements ITypeConverter<DpOptimizer> {
        @Override
        public DpOptimizer convert(String v) { return parse(DpOptimizer.class, v); }
    }

    static final class OffloadTierConverter implements ITypeConverter<OffloadTier> {
        @Override
        public OffloadTier convert(String v) { return parse(OffloadTier.class, v); }
    }

    /** {@code mezo | parallel}. */
    static final class ZoRngConverter implements ITypeConverter<ZoRng> {
        @Override
        public ZoRng convert(String v) { return parse(ZoRng.class, v); }
    }

    static final class BnStatisticsConverter implements ITypeConverter<BnStatistics> {
        @Override
        public BnStatistics convert(String v) { return parse(BnStatistics.class, v); }
    }

    /** {@code ddp | pertp | 2d}. */
    static final class ParallelModeConverter implements ITypeConverter<ParallelMode> {
        @Override
        public ParallelMode convert(String v) {
            for (ParallelMode m : ParallelMode.values()) if (m.cliName().equalsIgnoreCase(v.trim())) return m;
            throw new TypeConversionException("'" + v + "' is not one of ddp, pertp, 2d");
        }
    }

    /** The storage dtypes of offloaded blocks: {@code fp32 | bf16 | fp16}. */
    static final class StorageDtypeConverter implements ITypeConverter<DType> {
        @Override
        public DType convert(String v) {
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "fp32", "float32", "f32" -> DType.F32;
                case "bf16", "bfloat16" -> DType.BF16;
                case "fp16", "float16", "f16" -> DType.F16;
                default -> throw new TypeConversionException("'" + v + "' is not one of fp32, bf16, fp16");
            };
        }
    }
}
