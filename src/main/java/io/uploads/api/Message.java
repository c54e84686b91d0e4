package io.uploads.api;

public record Message(String message) {}
