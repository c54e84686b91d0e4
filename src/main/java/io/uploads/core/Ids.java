package io.uploads.core;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochRandomGenerator;

/**
 * Ids of sessions and writer claims: UUIDs of version 7 (RFC 9562), 48 bits of the time in
 * milliseconds followed by 74 random bits from {@link java.security.SecureRandom}, drawn afresh
 * for every id (not counted up within a millisecond, so no id tells its neighbours). Being ordered
 * by time, the ids of uploads running at once fall next to each other in every B-tree keyed by
 * them (the session, chunk and claim tables, the audit trail's session index), so a commit writes
 * a few neighbouring pages instead of one page per upload at random: on H2, which rewrites every
 * page a commit changed, that was a large part of a small upload's cost.
 */
public final class Ids {

    private static final TimeBasedEpochRandomGenerator GENERATOR = Generators.timeBasedEpochRandomGenerator();

    private Ids() {}

    public static String next() {
        return GENERATOR.generate().toString();
    }
}
