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
 * Runs the annotated test class only when Debian's Chromium and its driver are installed
 * ({@link Browser#CHROMIUM}, {@link Browser#CHROMEDRIVER}), and says so on the console when they are not.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresBrowser.Condition.class)
public @interface RequiresBrowser {

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Browser.available()) {
                return ConditionEvaluationResult.enabled("Chromium and chromedriver are installed");
            }
            String reason = "SKIPPED browser tests of " + context.getDisplayName() + ": " + Browser.CHROMIUM
                    + " or " + Browser.CHROMEDRIVER.getFileName() + " not found";
            System.out.println("[WARNING] " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }
}
