package io.uploads.core;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * A digest the client says a chunk's bytes have (TSD {@code md5sum}, tus {@code Upload-Checksum}).
 *
 * @param algorithm the JCA name, e.g. {@code SHA-256}
 */
public record Checksum(String algorithm, byte[] expected) {

    /** tus names (lower case, as in {@code Tus-Checksum-Algorithm}) to JCA names. */
    private static final Map<String, String> TUS_ALGORITHMS = Map.of("md5", "MD5", "sha1", "SHA-1", "sha256", "SHA-256");

    /** What {@code Tus-Checksum-Algorithm} announces. */
    public static final String TUS_ALGORITHM_LIST = "md5,sha1,sha256";

    public static Checksum md5Hex(String hex) {
        return new Checksum("MD5", HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
    }

    /** @throws IllegalArgumentException when tus names an algorithm we do not offer */
    public static Checksum tus(String tusAlgorithm, byte[] expected) {
        String algorithm = TUS_ALGORITHMS.get(tusAlgorithm);
        if (algorithm == null) {
            throw new IllegalArgumentException("checksum algorithm " + tusAlgorithm + " is not one of "
                    + TUS_ALGORITHM_LIST);
        }
        return new Checksum(algorithm, expected);
    }

    public boolean isMd5() {
        return algorithm.equals("MD5");
    }

    public boolean matches(byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    public String expectedHex() {
        return HexFormat.of().formatHex(expected);
    }
}
