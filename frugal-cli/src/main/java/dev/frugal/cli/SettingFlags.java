package dev.frugal.cli;

import java.util.Map;

/**
 * A command whose flags do not all follow the library's parameter names: maps a library parameter
 * ({@link dev.frugal.InvalidSettingException#parameter()}) to the flag that sets it, e.g. {@code sampleRate → --batch}
 * where the rate is derived from {@code --batch}. Parameters not listed map to {@code --kebab-case-name}.
 */
interface SettingFlags {
    Map<String, String> settingFlags();
}
