package io.uploads.config;

import io.dropwizard.util.DataSize;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** Where chunk bytes and finished files live, and how much free space must remain. */
public record StorageConfig(
        @NotBlank String directory,
        @NotNull DataSize minFreeSpace) {}
