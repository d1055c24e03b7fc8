package dev.frugal.zo;

import dev.frugal.InvalidSettingException;
import java.util.Locale;

/** Where the transformer blocks live between uses. */
public enum OffloadTier {
    /** Everything resident in working memory (plain MeZO when the storage dtype is fp32). */
    NONE,
    /** Blocks in host memory in the storage dtype; working copies are streamed in and written back. */
    HOST,
    /** Blocks in files on disk in the storage dtype (read and written with plain file IO, not mapped). */
    DISK;

    public static OffloadTier parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("offload", "must be none, host or disk, got '" + s + "'");
        }
    }
}
