package io.uploads.protocols.tus;

import io.uploads.core.UploadException;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A refusal of the core on the tus endpoint, answered with tus's status codes.
 *
 * @param location the upload, when it was created before the refusal (creation-with-upload), so
 *        the client can still resume it
 */
final class TusRefusal extends RuntimeException {

    private final UploadException refusal;
    private final @Nullable URI location;

    TusRefusal(UploadException refusal, @Nullable URI location) {
        super(refusal.getMessage(), refusal);
        this.refusal = refusal;
        this.location = location;
    }

    UploadException refusal() {
        return refusal;
    }

    @Nullable URI location() {
        return location;
    }
}
