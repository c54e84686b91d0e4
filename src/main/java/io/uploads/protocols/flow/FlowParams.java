package io.uploads.protocols.flow;

import io.uploads.core.NumberedChunk;
import io.uploads.core.Protocol;
import io.uploads.core.UploadException;
import io.uploads.protocols.Parameters;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a flow.js or resumable.js request, under either library's names
 * ({@code flowChunkNumber} or {@code resumableChunkNumber}, ...), plus our {@code group}.
 * {@code flowRelativePath} is accepted and not used: only the validated filename names the file.
 *
 * <p>Both libraries cut a file the same way: {@code totalChunks = max(floor(totalSize / chunkSize), 1)},
 * every chunk {@code chunkSize} bytes except the last, which takes the remainder (so it may be up
 * to {@code 2 * chunkSize - 1} bytes); with {@code forceChunkSize} it is {@code ceil} instead and
 * no chunk exceeds {@code chunkSize}. The core checks each chunk's size against that count.
 */
record FlowParams(Protocol protocol, NumberedChunk chunk) {

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
        String identifier = names.required("Identifier");
        String filename = names.required("Filename");
        int number = (int) names.number("ChunkNumber", Integer.MAX_VALUE);
        long chunkSize = names.number("ChunkSize", Long.MAX_VALUE);
        long currentChunkSize = names.number("CurrentChunkSize", Long.MAX_VALUE);
        long totalSize = names.number("TotalSize", Long.MAX_VALUE);
        int totalChunks = (int) names.number("TotalChunks", Integer.MAX_VALUE);
        if (chunkSize >= 1 && totalChunks >= 1 && totalChunks != floorChunks(totalSize, chunkSize)
                && totalChunks != ceilChunks(totalSize, chunkSize)) {
            throw invalid(totalChunks + " chunks do not make " + totalSize + " bytes in chunks of " + chunkSize);
        }
        NumberedChunk chunk = new NumberedChunk(identifier, filename, Parameters.single(values, GROUP), number,
                chunkSize, currentChunkSize, totalSize, totalChunks);
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

    private static long floorChunks(long totalSize, long chunkSize) {
        return Math.max(totalSize / chunkSize, 1);
    }

    private static long ceilChunks(long totalSize, long chunkSize) {
        return Math.max(totalSize / chunkSize + (totalSize % chunkSize == 0 ? 0 : 1), 1);
    }

    private static UploadException invalid(String message) {
        return new UploadException(UploadException.Problem.INVALID_REQUEST, message);
    }
}
