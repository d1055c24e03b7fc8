package dev.frugal.zo;

import dev.frugal.InvalidSettingException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.NativeMemory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The tiering's settings: what combinations are refused (with a message naming the option) and what they mean. */
class OffloadConfigTest {
    @Test
    void cpuFp32IsTheDefaultWorkingTier() {
        OffloadConfig c = OffloadConfig.host(2, DType.BF16);
        assertEquals(Device.CPU, c.device());
        assertEquals(DType.F32, c.computeDtype());
        assertFalse(c.zeroCopy());
        assertTrue(OffloadConfig.inMemory().zeroCopy());
        assertFalse(OffloadConfig.inMemory(DType.BF16).zeroCopy(), "bf16 storage, fp32 compute: up-cast per use");
        assertTrue(OffloadConfig.inMemory(DType.BF16).on(Device.CPU, DType.BF16).zeroCopy());
    }

    @Test
    void refusesImpossibleCombinations() {
        var e = assertThrows(InvalidSettingException.class, () -> OffloadConfig.host(2, DType.F32).on(Device.CPU, DType.BF16));
        assertEquals("computeDtype", e.parameter());
        assertThrows(InvalidSettingException.class, () -> OffloadConfig.host(2, DType.BF16).on(Device.CPU, DType.F16));
        e = assertThrows(InvalidSettingException.class,
                () -> OffloadConfig.disk(2, DType.BF16, Path.of("x")).on(Device.parse("cuda"), DType.BF16));
        assertEquals("offload", e.parameter());
        assertTrue(e.getMessage().contains("use host"), e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> OffloadConfig.host(0, DType.BF16));
        assertEquals("residentBlocks", e.parameter()); // a parameter name, not a flag: the CLI maps it
        assertFalse(e.getMessage().contains("--"), e.getMessage());
        assertThrows(InvalidSettingException.class, () -> OffloadConfig.host(2, DType.I64));
    }

    @Test
    void mallocPoliciesAreProcessWideAndTheLastCallWins() {
        // glibc here: the setting is accepted and idempotent
        assertTrue(NativeMemory.returnFreedMemory());
        assertTrue(NativeMemory.returnFreedMemory());
        assertTrue(NativeMemory.returnsFreedMemory());
        // the fast policy replaces it, and back: the last call sets the process's policy
        assertTrue(NativeMemory.reuseFreedMemory());
        assertEquals(NativeMemory.Policy.REUSE, NativeMemory.policy());
        assertFalse(NativeMemory.returnsFreedMemory());
        assertTrue(NativeMemory.returnFreedMemory());
        assertEquals(NativeMemory.Policy.RETURN, NativeMemory.policy());
    }

    @Test
    void anOffloadingEngineKeepsThePolicyTheProgramChose() {
        NativeMemory.Policy before = NativeMemory.policy();
        try {
            assertTrue(NativeMemory.reuseFreedMemory());
            try (CausalLM m = Models.loadCausalLM(dev.frugal.model.Fixtures.dir("opt"), Device.CPU);
                 Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), ResumeTest.HP, OffloadConfig.host(1, DType.BF16))) {
                assertEquals(NativeMemory.Policy.REUSE, NativeMemory.policy(), "the engine replaced the program's choice");
            }
        } finally {
            if (before == NativeMemory.Policy.RETURN) NativeMemory.returnFreedMemory();
        }
    }
}
