package io.uploads.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the annotated test class only when {@code UPLOADS_TEST_PG_URL} names a PostgreSQL database,
 * and says so loudly on the console when it does not.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresPostgres.Condition.class)
public @interface RequiresPostgres {

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (TestDatabase.postgresUrl() != null) {
                return ConditionEvaluationResult.enabled("UPLOADS_TEST_PG_URL is set");
            }
            String reason = "SKIPPED PostgreSQL tests of " + context.getDisplayName()
                    + ": UPLOADS_TEST_PG_URL is not set";
            System.out.println("[WARNING] " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }
}
