package dev.featurepipe.aws;

import java.util.List;

/**
 * Turns a secret reference from pipeline.yaml into its value at run time. Config holds references
 * only, never values: {@code secretsmanager:<secret-id>[#<json-field>]} and {@code
 * ssm:<parameter>[#<json-field>]} on AWS ({@link AwsSecrets}); {@code env:<VARIABLE>} and {@code
 * file:<path>[#<json-field>]} locally ({@link LocalSecrets}); {@link SecretRouter} picks by scheme.
 * Values are never logged or put in error messages.
 */
public interface SecretResolver {

  String SECRETS_MANAGER = "secretsmanager:";
  String SSM = "ssm:";
  String ENV = "env:";
  String FILE = "file:";

  /** Every scheme a reference may start with. */
  List<String> SCHEMES = List.of(SECRETS_MANAGER, SSM, ENV, FILE);

  /** The secret's value; throws {@code ConfigInvalid} naming the reference (never the value) when it cannot. */
  String resolve(String reference);

  /**
   * Drops what is cached for {@code reference}, so the next {@link #resolve} reads it afresh. For a
   * source that refused the value: after a rotation the old value fails until the cache expires.
   */
  default void forget(String reference) {}
}
