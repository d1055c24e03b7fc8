package dev.frugal.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 digests, as lower-case hex, of files, bytes, strings and directory trees. */
public final class Sha256 {

    private Sha256() {
    }

    /** Digest of {@code bytes}. */
    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** Digest of the UTF-8 encoding of {@code text}. */
    public static String of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Digest of the contents of {@code file}. */
    public static String of(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Digest of a file tree: SHA-256 over the lines {@code "<relative path>\t<sha256 of file>\n"} of the given files,
     * relative to {@code root} with {@code /} separators, sorted by path. Independent of file system order.
     */
    public static String ofTree(Path root, List<Path> files) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        for (Path f : files) {
            lines.add(root.relativize(f).toString().replace('\\', '/') + "\t" + of(f) + "\n");
        }
        java.util.Collections.sort(lines);
        return of(String.join("", lines));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
