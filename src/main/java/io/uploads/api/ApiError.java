package io.uploads.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * Every refused request of the JSON APIs answers this: the HTTP status again, what was wrong, and
 * a stable machine-readable {@code error} such as {@code chunk_order_incorrect}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(int code, String message, @Nullable String error) {}
