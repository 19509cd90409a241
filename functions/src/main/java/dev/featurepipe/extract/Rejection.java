package dev.featurepipe.extract;

/**
 * Why a source line was quarantined: a stable {@code reason} code to count by, and a detail for
 * people (the field and the rule). Never holds the row's values.
 */
public record Rejection(String reason, String detail) {

  public static Rejection of(String reason, String detail) {
    return new Rejection(reason, detail);
  }
}
