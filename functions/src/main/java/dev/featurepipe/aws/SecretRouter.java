package dev.featurepipe.aws;

import dev.featurepipe.errors.ConfigInvalid;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Resolves every kind of secret reference by its scheme: {@code env:} and {@code file:} by {@link
 * LocalSecrets}, {@code secretsmanager:} and {@code ssm:} by {@link AwsSecrets}. The same router
 * serves the local stack and AWS; a reference that needs AWS fails only when it is resolved.
 */
public final class SecretRouter implements SecretResolver {

  private static SecretRouter process;

  private final SecretResolver local;
  private final SecretResolver aws;

  public SecretRouter(SecretResolver local, SecretResolver aws) {
    this.local = Objects.requireNonNull(local, "local");
    this.aws = Objects.requireNonNull(aws, "aws");
  }

  /**
   * The router of this process (a Lambda container), built on first call from the environment:
   * its cache of fetched values lives as long as the container, across requests and steps. AWS
   * clients are built only when the first {@code secretsmanager:} or {@code ssm:} reference is
   * resolved, in the region of {@code AWS_REGION} (set by the Lambda runtime).
   */
  public static synchronized SecretResolver forProcess() {
    if (process == null) {
      Map<String, String> env = System.getenv();
      String region = env.getOrDefault(AwsSettings.AWS_REGION, "").isBlank() ? AwsSettings.REGION_DEFAULT
          : env.get(AwsSettings.AWS_REGION).strip();
      // The clock only ages cache entries; no value read here reaches output bytes.
      process = new SecretRouter(new LocalSecrets(env), AwsSecrets.forRegion(region, Clock.systemUTC()));
    }
    return process;
  }

  @Override
  public String resolve(String reference) {
    return route(reference).resolve(reference);
  }

  @Override
  public void forget(String reference) {
    if (reference != null && SCHEMES.stream().anyMatch(reference::startsWith)) {
      route(reference).forget(reference);
    }
  }

  private SecretResolver route(String reference) {
    if (reference == null) {
      throw new ConfigInvalid("secret reference is missing");
    }
    if (reference.startsWith(ENV) || reference.startsWith(FILE)) {
      return local;
    }
    if (reference.startsWith(SECRETS_MANAGER) || reference.startsWith(SSM)) {
      return aws;
    }
    // Not echoed: a string that is no reference may be the secret itself, pasted into config.
    throw new ConfigInvalid("secret reference must start with one of " + String.join(", ", SCHEMES)
        + ", got a string starting with none of them (not shown: it may be a secret value)");
  }
}
