package io.uploads.protocols.resumables;

import java.util.List;

/** {@code GET /files/resumables}: the caller's own open sessions, most recently active first. */
public record ResumableList(List<ResumableInfo> resumables) {}
