package dev.featurepipe.aws;

/**
 * Turns a secret reference from pipeline.yaml into its value at run time. Config holds references
 * only, never values: {@code secretsmanager:<secret-id>[#<json-field>]} and {@code ssm:<parameter>}
 * on AWS; {@code env:<VARIABLE>} and {@code file:<path>[#<json-field>]} locally. Values are never
 * logged or put in error messages.
 */
public interface SecretResolver {

  /** The secret's value; throws {@code ConfigInvalid} naming the reference (never the value) when it cannot. */
  String resolve(String reference);
}
