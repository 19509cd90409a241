package dev.featurepipe.infra.sfn;

import java.util.List;

/**
 * A SAM template the local runner cannot use, or a substitution it cannot resolve. One line per
 * problem, naming the resource and property.
 */
public final class SamTemplateException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  SamTemplateException(List<String> problems) {
    super(String.join("\n", problems));
  }

  SamTemplateException(String problem, Throwable cause) {
    super(problem, cause);
  }
}
