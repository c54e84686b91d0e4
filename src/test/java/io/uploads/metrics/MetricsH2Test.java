package io.uploads.metrics;

import io.uploads.testing.TestDatabase;

class MetricsH2Test extends MetricsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}
