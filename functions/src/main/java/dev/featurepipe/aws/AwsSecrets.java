package dev.featurepipe.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.errors.PipelineException;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.ops.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * {@code secretsmanager:<secret-id>[#<json-field>]} and {@code ssm:<parameter>[#<json-field>]}
 * references: Secrets Manager {@code GetSecretValue} (the AWSCURRENT version's SecretString) and SSM
 * {@code GetParameter} with decryption (SecureString or String). {@code <secret-id>} is a name or an
 * ARN; {@code #<json-field>} picks one scalar field of a JSON value (RDS-managed secrets hold
 * {@code username}, {@code password}, {@code host}, {@code port}, ...). Neither secret names, ARNs
 * nor parameter names may contain {@code #}, so the split is unambiguous.
 *
 * <p>A fetched value is kept for {@code ttl} per secret or parameter (its fields share one call).
 * One instance lives as long as the Lambda container ({@link SecretRouter#forProcess}), so a warm
 * container asks once per TTL, and a rotation reaches every container within one TTL, or at once
 * where a source refused the old value and the connector called {@link #forget}.
 *
 * <p>Failures a retry cannot fix (no such secret, not permitted, not decryptable, no such field) are
 * {@link ConfigInvalid}; a service that cannot be reached, throttles or fails on its side (after the
 * SDK's own retries) is {@link SourceUnavailable}, which the workflow retries. Messages name the
 * reference, never the value, and no exception whose message might quote a response is attached.
 */
public final class AwsSecrets implements SecretResolver, AutoCloseable {

  /**
   * Five minutes, as the AWS Parameters and Secrets Lambda Extension's default cache TTL: a
   * rotation is seen within it, and a container running for hours calls the service a few times an
   * hour, not once per chunk.
   */
  public static final Duration TTL_DEFAULT = Duration.ofMinutes(5);

  private final Supplier<SecretsManagerClient> secretsManagerFactory;
  private final Supplier<SsmClient> ssmFactory;
  private final Clock clock;
  private final Duration ttl;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  private SecretsManagerClient secretsManager;
  private SsmClient ssm;

  private record Cached(String value, Instant fetched) {}

  /** A reference split into scheme, secret or parameter name, and optional JSON field. */
  private record Target(String scheme, String name, String field) {

    String cacheKey() {
      return scheme + name;
    }
  }

  /** Clients are built on first use, by the factories, so a process with only local references never builds one. */
  public AwsSecrets(Supplier<SecretsManagerClient> secretsManager, Supplier<SsmClient> ssm, Clock clock, Duration ttl) {
    this.secretsManagerFactory = Objects.requireNonNull(secretsManager, "secretsManager");
    this.ssmFactory = Objects.requireNonNull(ssm, "ssm");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
  }

  /** For a Lambda container: clients of {@code region} with the default credentials chain. */
  public static AwsSecrets forRegion(String region, Clock clock) {
    return new AwsSecrets(() -> AwsClients.secretsManager(region, Optional.empty(), Optional.empty()),
        () -> AwsClients.ssm(region, Optional.empty(), Optional.empty()), clock, TTL_DEFAULT);
  }

  @Override
  public String resolve(String reference) {
    Target target = parse(reference);
    String value = cachedOrFetched(target, reference);
    return target.field() == null ? value : field(reference, value, target.field());
  }

  @Override
  public void forget(String reference) {
    if (reference != null && (reference.startsWith(SECRETS_MANAGER) || reference.startsWith(SSM))) {
      cache.remove(parse(reference).cacheKey());
    }
  }

  private String cachedOrFetched(Target target, String reference) {
    Instant now = clock.instant();
    Cached cached = cache.get(target.cacheKey());
    if (cached != null && now.isBefore(cached.fetched().plus(ttl))) {
      return cached.value();
    }
    // Two threads missing at once both fetch; the values are the same secret, so either may win.
    String value = target.scheme().equals(SECRETS_MANAGER) ? secretString(target, reference) : parameter(target, reference);
    cache.put(target.cacheKey(), new Cached(value, now));
    return value;
  }

  private String secretString(Target target, String reference) {
    GetSecretValueResponse response;
    try {
      response = secretsManager().getSecretValue(b -> b.secretId(target.name()));
    } catch (SdkException e) {
      throw failure(reference, "Secrets Manager", "secretsmanager:GetSecretValue", e);
    }
    if (response.secretString() == null) {
      throw new ConfigInvalid("secret " + reference + ": holds a binary value (SecretBinary); store it as a "
          + "secret string");
    }
    return response.secretString();
  }

  private String parameter(Target target, String reference) {
    try {
      return ssm().getParameter(b -> b.name(target.name()).withDecryption(true)).parameter().value();
    } catch (SdkException e) {
      throw failure(reference, "SSM Parameter Store", "ssm:GetParameter", e);
    }
  }

  private static Target parse(String reference) {
    String scheme = reference != null && reference.startsWith(SECRETS_MANAGER) ? SECRETS_MANAGER
        : reference != null && reference.startsWith(SSM) ? SSM : null;
    if (scheme == null) {
      throw new IllegalArgumentException("[BUG] AwsSecrets resolves only " + SECRETS_MANAGER + " and " + SSM
          + " references; SecretRouter routes the others");
    }
    String rest = reference.substring(scheme.length());
    int hash = rest.indexOf('#');
    String name = hash < 0 ? rest : rest.substring(0, hash);
    String field = hash < 0 ? null : rest.substring(hash + 1);
    if (name.isEmpty() || (field != null && field.isEmpty())) {
      throw new ConfigInvalid("secret " + reference + ": must be " + scheme + "<name>[#<json-field>], with a "
          + "non-empty name and field");
    }
    return new Target(scheme, name, field);
  }

  /** One scalar field of a JSON value; the parser's own messages quote the input, so none is kept. */
  private static String field(String reference, String value, String field) {
    JsonNode json;
    try {
      json = Json.mapper().readTree(value);
    } catch (IOException e) {
      throw new ConfigInvalid("secret " + reference + ": the value is not JSON, so it has no field " + field);
    }
    JsonNode node = json == null ? null : json.get(field);
    if (node == null || !node.isValueNode() || node.isNull()) {
      throw new ConfigInvalid("secret " + reference + ": the value has no string, number or boolean field " + field);
    }
    return node.asText();
  }

  /**
   * The pipeline's error for an SDK failure. A service error (the service answered) carries its
   * error code; a client error attaches its cause only when that is a network failure, since other
   * client errors (an unreadable response) may quote the response, which holds the value.
   */
  static PipelineException failure(String reference, String service, String action, SdkException e) {
    String at = "secret " + reference + ": ";
    if (e instanceof AwsServiceException ase) {
      String code = ase.awsErrorDetails() == null || ase.awsErrorDetails().errorCode() == null ? "no error code"
          : ase.awsErrorDetails().errorCode();
      String what = code + ", HTTP " + ase.statusCode();
      if (ase.isThrottlingException() || ase.statusCode() >= 500) {
        return new SourceUnavailable(at + service + " throttled or failed the call (" + what + ") after the SDK's "
            + "retries; the workflow retries", ase);
      }
      if (code.equals("ResourceNotFoundException") || code.equals("ParameterNotFound")) {
        return new ConfigInvalid(at + "no such " + (action.startsWith("ssm") ? "parameter" : "secret")
            + " in this account and region (" + what + ")", ase);
      }
      if (code.contains("Decrypt") || code.contains("Kms") || code.contains("KeyId")) {
        return new ConfigInvalid(at + "cannot be decrypted (" + what + "); grant the function's role kms:Decrypt on "
            + "the secret's KMS key", ase);
      }
      if (ase.statusCode() == 403 || code.contains("AccessDenied")) {
        return new ConfigInvalid(at + "the function's role may not read it (" + what + "); grant " + action
            + " on it (template.yaml SecretNamePrefix), and kms:Decrypt on its key if that is customer managed", ase);
      }
      return new ConfigInvalid(at + service + " refused the call (" + what + ")", ase);
    }
    if (e.getMessage() != null && e.getMessage().startsWith("Unable to load credentials")) {
      // The SDK's own words, written before any request: no response to quote.
      return new ConfigInvalid(at + "no AWS credentials to call " + service + " (" + e.getMessage() + "); "
          + "outside AWS use env: or file: references");
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof SocketException || root instanceof UnknownHostException
        || root instanceof InterruptedIOException) {
      return new SourceUnavailable(at + "cannot reach " + service + " (" + root.getClass().getSimpleName() + ": "
          + root.getMessage() + "); the workflow retries", e);
    }
    return new SourceUnavailable(at + "the " + service + " call failed in the client (" + e.getClass().getSimpleName()
        + (root == e ? "" : " caused by " + root.getClass().getSimpleName()) + "); the workflow retries");
  }

  private synchronized SecretsManagerClient secretsManager() {
    if (secretsManager == null) {
      secretsManager = secretsManagerFactory.get();
    }
    return secretsManager;
  }

  private synchronized SsmClient ssm() {
    if (ssm == null) {
      ssm = ssmFactory.get();
    }
    return ssm;
  }

  @Override
  public synchronized void close() {
    if (secretsManager != null) {
      secretsManager.close();
    }
    if (ssm != null) {
      ssm.close();
    }
  }
}
