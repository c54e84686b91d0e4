package io.uploads.protocols.resumables;

import io.uploads.core.UploadException;
import io.uploads.core.UploadException.Problem;
import io.uploads.protocols.Parameters;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The query of {@code PATCH /files/stream/...}: {@code chunk=<n>|end}, {@code id}, {@code group},
 * and the optional TSD integrity checks {@code md5sum} and {@code offset}.
 *
 * @param chunk the chunk number, or null for {@code chunk=end}
 */
record ChunkQuery(@Nullable Integer chunk, @Nullable String id, @Nullable String group, @Nullable String md5sum,
                  @Nullable Long offset) {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern MD5 = Pattern.compile("[0-9a-fA-F]{32}");

    boolean isEnd() {
        return chunk == null;
    }

    /** @param pathGroup the group segment of {@code /files/stream/{group}/{filename}}, if used */
    static ChunkQuery parse(MultivaluedMap<String, String> query, @Nullable String pathGroup) {
        String rawChunk = Parameters.single(query, "chunk");
        if (rawChunk == null) {
            throw invalid("chunk is required: a chunk number from 1, or end");
        }
        Integer chunk = rawChunk.equals("end") ? null : chunkNumber(rawChunk);
        String id = id(query, false);
        String md5 = Parameters.single(query, "md5sum");
        if (md5 != null && !MD5.matcher(md5).matches()) {
            throw invalid("md5sum must be 32 hexadecimal digits");
        }
        String offset = Parameters.single(query, "offset");
        return new ChunkQuery(chunk, id, group(Parameters.single(query, "group"), pathGroup), md5,
                offset == null ? null : nonNegative("offset", offset));
    }

    static @Nullable String id(MultivaluedMap<String, String> query, boolean required) {
        String id = Parameters.single(query, "id");
        if (id == null && required) {
            throw invalid("id is required");
        }
        if (id != null && !UUID.matcher(id).matches()) {
            throw invalid("id is not an upload id: " + id);
        }
        return id;
    }

    /** The {@code group} of a query without a chunk (whole-file PUT), agreeing with the path's. */
    static @Nullable String group(MultivaluedMap<String, String> query, @Nullable String pathGroup) {
        return group(Parameters.single(query, "group"), pathGroup);
    }

    private static @Nullable String group(@Nullable String queryGroup, @Nullable String pathGroup) {
        if (queryGroup != null && pathGroup != null && !queryGroup.equals(pathGroup)) {
            throw invalid("group " + queryGroup + " in the query differs from group " + pathGroup + " in the path");
        }
        return queryGroup != null ? queryGroup : pathGroup;
    }

    private static int chunkNumber(String raw) {
        long n = nonNegative("chunk", raw);
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw invalid("chunk must be a number from 1, or end; got " + raw);
        }
        return (int) n;
    }

    private static long nonNegative(String name, String raw) {
        try {
            long n = Long.parseLong(raw);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw invalid(name + " must be a non-negative integer" + (name.equals("chunk") ? " or end" : "") + "; got " + raw);
    }

    private static UploadException invalid(String message) {
        return new UploadException(Problem.INVALID_REQUEST, message);
    }
}
