package io.uploads.protocols.flow;

import io.uploads.core.ParallelChunk;
import io.uploads.core.Protocol;
import io.uploads.core.UploadException;
import io.uploads.protocols.Parameters;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a flow.js or resumable.js request, under either library's names
 * ({@code flowChunkNumber} or {@code resumableChunkNumber}, ...), plus our {@code group}.
 * {@code flowRelativePath} is accepted and not used: only the validated filename names the file.
 */
record FlowParams(Protocol protocol, ParallelChunk chunk) {

    static final String GROUP = "group";
    private static final String FLOW = "flow";
    private static final String RESUMABLE = "resumable";

    static FlowParams parse(Map<String, List<String>> values) {
        boolean flow = values.containsKey(FLOW + "Identifier");
        boolean resumable = values.containsKey(RESUMABLE + "Identifier");
        if (flow == resumable) {
            throw invalid(flow ? "give flowIdentifier or resumableIdentifier, not both"
                    : "flowIdentifier (or resumableIdentifier) is required");
        }
        String prefix = flow ? FLOW : RESUMABLE;
        Names names = new Names(values, prefix);
        ParallelChunk chunk = new ParallelChunk(
                names.required("Identifier"),
                names.required("Filename"),
                Parameters.single(values, GROUP),
                (int) names.number("ChunkNumber", Integer.MAX_VALUE),
                names.number("ChunkSize", Long.MAX_VALUE),
                names.number("CurrentChunkSize", Long.MAX_VALUE),
                names.number("TotalSize", Long.MAX_VALUE),
                (int) names.number("TotalChunks", Integer.MAX_VALUE));
        return new FlowParams(flow ? Protocol.FLOW : Protocol.RESUMABLE_JS, chunk);
    }

    private record Names(Map<String, List<String>> values, String prefix) {

        String required(String name) {
            String value = Parameters.single(values, prefix + name);
            if (value == null) {
                throw invalid(prefix + name + " is required");
            }
            return value;
        }

        long number(String name, long max) {
            String raw = required(name);
            try {
                long n = Long.parseLong(raw);
                if (n >= 0 && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // answered below
            }
            throw invalid(prefix + name + " must be a whole number from 0 to " + max + "; got " + raw);
        }
    }

    private static UploadException invalid(String message) {
        return new UploadException(UploadException.Problem.INVALID_REQUEST, message);
    }
}
