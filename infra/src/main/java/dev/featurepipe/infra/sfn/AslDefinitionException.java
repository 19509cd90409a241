package dev.featurepipe.infra.sfn;

import java.util.List;

/**
 * A state machine definition the local runner cannot run: invalid ASL, a feature it does not
 * implement, or a {@code ${Name}} placeholder without a substitution. The message has one line per
 * problem, each naming the state and field.
 */
public final class AslDefinitionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> violations;

  AslDefinitionException(List<String> violations) {
    super(String.join("\n", violations));
    this.violations = List.copyOf(violations);
  }

  /** The problems found, in definition order. */
  public List<String> violations() {
    return violations;
  }
}
