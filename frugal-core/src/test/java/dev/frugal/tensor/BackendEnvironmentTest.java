package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/**
 * {@link Backend} puts what libgomp and libtorch read once into the C environment before they load, without
 * overriding what the user set: the OpenMP wait policy and libtorch's transparent-huge-page advice.
 */
class BackendEnvironmentTest {
    @Test
    void setsTheNativeEnvironmentUnlessTheUserDid() throws Throwable {
        Backend.ensureLoaded();
        assertEquals(expected("OMP_WAIT_POLICY", "PASSIVE"), cEnv("OMP_WAIT_POLICY"));
        assertEquals(expected("THP_MEM_ALLOC_ENABLE", "1"), cEnv("THP_MEM_ALLOC_ENABLE"));
    }

    /** The user's value when the JVM started with one, else frugal's. */
    private static String expected(String name, String frugals) {
        String user = System.getenv(name);
        return user != null ? user : frugals;
    }

    /** {@code getenv(name)} of the C library: what native code sees, not the JVM's start-up copy. */
    private static String cEnv(String name) throws Throwable {
        var getenv = NativeMemory.function("getenv", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        assertTrue(getenv.isPresent(), "getenv not found: the tests run with native access enabled");
        MethodHandle h = getenv.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = (MemorySegment) h.invokeExact(a.allocateFrom(name));
            return v.equals(MemorySegment.NULL) ? null : v.reinterpret(4096).getString(0);
        }
    }
}
