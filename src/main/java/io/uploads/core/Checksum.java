package io.uploads.core;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A digest the client says a chunk's bytes have (TSD {@code md5sum}, tus {@code Upload-Checksum}).
 * The core computes md5 always and one other JCA algorithm on request.
 *
 * @param algorithm the JCA name, e.g. {@code SHA-256}
 */
public record Checksum(String algorithm, byte[] expected) {

    public static Checksum md5Hex(String hex) {
        return new Checksum("MD5", HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
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
