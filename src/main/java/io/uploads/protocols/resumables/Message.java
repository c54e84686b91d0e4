package io.uploads.protocols.resumables;

public record Message(String message) {}
