package dev.frugal.tensor;

import java.util.OptionalLong;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * The few CUDA runtime calls frugal makes beyond tensor ops: side streams for copies that overlap compute (ZO2's
 * working tier), stream and device synchronisation, CUDA generators, and the caching allocator's peak statistics.
 * Every method touches libtorch's CUDA bindings, which load only with the CUDA glue (docs/gpu.md): call them only
 * for a CUDA {@link Device}. The patterns follow the workspace's verified GPU recipe ({@code getStreamFromPool} +
 * current-stream + {@code copy_(src, non_blocking)} from pinned memory).
 */
public final class Cuda {
    private Cuda() {}

    /** Makes a stream from libtorch's pool the calling thread's current stream on {@code device} (for its lifetime). */
    public static void useSideStream(Device device) {
        requireCuda(device);
        Backend.ensureLoaded();
        torch_cuda.setCurrentCUDAStream(torch_cuda.getStreamFromPool(false, (byte) device.index()));
    }

    /** Blocks the calling thread until the work queued on its current stream of {@code device} has finished. */
    public static void syncCurrentStream(Device device) {
        requireCuda(device);
        torch_cuda.getCurrentCUDAStream((byte) device.index()).synchronize();
    }

    /** Blocks until all work on every stream of the current device has finished. */
    public static void syncDevice(Device device) {
        requireCuda(device);
        torch_cuda.device_synchronize();
    }

    /** A CUDA generator (Philox) for {@code device} seeded with {@code seed}: the same stream as PyTorch's. */
    static Generator generator(Device device, long seed) {
        requireCuda(device);
        Backend.ensureLoaded();
        Generator g = torch_cuda.make_generator_cuda((byte) device.index());
        g.set_current_seed(seed);
        return g;
    }

    /** The caching allocator's peak allocated bytes on {@code device} since the last reset, when it can be read. */
    public static OptionalLong peakAllocatedBytes(Device device) {
        requireCuda(device);
        try {
            var alloc = new org.bytedeco.pytorch.cuda.DeviceAllocator(torch_cuda.getCUDADeviceAllocator());
            return OptionalLong.of(alloc.getDeviceStats((byte) device.index()).allocated_bytes().position(0).peak());
        } catch (Throwable e) { // an ABI difference between the glue and the machine's libtorch: report n/a
            return OptionalLong.empty();
        }
    }

    /** Resets the peak statistics of {@code device} (so that {@link #peakAllocatedBytes} covers what follows). */
    public static boolean resetPeak(Device device) {
        requireCuda(device);
        try {
            new org.bytedeco.pytorch.cuda.DeviceAllocator(torch_cuda.getCUDADeviceAllocator())
                    .resetPeakStats((byte) device.index());
            return true;
        } catch (Throwable e) {
            return false;
        }
    }

    private static void requireCuda(Device device) {
        if (!device.isCuda()) throw new IllegalArgumentException("not a CUDA device: " + device);
    }
}
