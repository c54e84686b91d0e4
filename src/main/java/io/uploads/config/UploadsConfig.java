package io.uploads.config;

import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** Limits and policies that apply to every upload session, whatever its protocol. */
public record UploadsConfig(
        @NotNull DataSize maxChunkSize,
        @NotNull DataSize maxUploadSize,
        @Min(1) int maxOpenSessionsPerPrincipal,
        @NotNull @MinDuration(value = 1, unit = TimeUnit.MINUTES) Duration sessionTtl,
        @NotNull ExistingFilePolicy onExistingFile,
        @NotNull Duration recoveryGracePeriod) {

    /** What completion does when the final file name is already taken in the group directory. */
    public enum ExistingFilePolicy {
        /** Keep both: the new file gets a numeric suffix ({@code report-1.pdf}). */
        rename,
        /** Refuse the completion; the session stays open so nothing is lost. */
        reject
    }
}
