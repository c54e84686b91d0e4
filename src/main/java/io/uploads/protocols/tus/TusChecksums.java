package io.uploads.protocols.tus;

import io.uploads.core.Checksum;
import java.util.Map;

/** checksum extension: the algorithm names tus uses, and the JCA digests they stand for. */
final class TusChecksums {

    /** tus names (lower case, as in {@code Tus-Checksum-Algorithm}) to JCA names. */
    private static final Map<String, String> ALGORITHMS = Map.of("md5", "MD5", "sha1", "SHA-1", "sha256", "SHA-256");

    /** What {@code Tus-Checksum-Algorithm} announces. */
    static final String ALGORITHM_LIST = "md5,sha1,sha256";

    private TusChecksums() {}

    /** @throws IllegalArgumentException when tus names an algorithm we do not offer */
    static Checksum of(String tusAlgorithm, byte[] expected) {
        String algorithm = ALGORITHMS.get(tusAlgorithm);
        if (algorithm == null) {
            throw new IllegalArgumentException("checksum algorithm " + tusAlgorithm + " is not one of " + ALGORITHM_LIST);
        }
        return new Checksum(algorithm, expected);
    }
}
