package dev.featurepipe.online.internal;

import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Which DynamoDB failures are worth the same request again after a wait: throttling (the table or
 * account is over its rate) and server errors. The SDK retries these a few times itself; what
 * surfaces here has used up those attempts, and the loader keeps trying until its deadline.
 */
public final class Throttling {

  /** DynamoDB's throttling error codes (HTTP 400), sorted. */
  public static final Set<String> THROTTLING_CODES = new TreeSet<>(Set.of(
      "ProvisionedThroughputExceededException", "RequestLimitExceeded", "ThrottlingException"));

  private Throttling() {}

  public static boolean retryable(SdkException e) {
    if (!(e instanceof AwsServiceException service)) {
      return false;
    }
    String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
    return (code != null && THROTTLING_CODES.contains(code)) || service.isThrottlingException()
        || service.statusCode() >= 500;
  }
}
