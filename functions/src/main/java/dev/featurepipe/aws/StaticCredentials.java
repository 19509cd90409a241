package dev.featurepipe.aws;

/**
 * A fixed access key pair, used only for endpoint overrides (the embedded local stack). On AWS there
 * is none: the SDK's default provider chain supplies the function role's rotating credentials.
 */
public record StaticCredentials(String accessKeyId, String secretAccessKey) {

  public StaticCredentials {
    if (accessKeyId == null || accessKeyId.isBlank()) {
      throw new IllegalArgumentException("accessKeyId: must not be blank");
    }
    if (secretAccessKey == null || secretAccessKey.isBlank()) {
      throw new IllegalArgumentException("secretAccessKey: must not be blank");
    }
  }

  /**
   * Masks the secret. A record prints every component by default, and settings travel into log
   * lines, exception messages and assertion failures.
   */
  @Override
  public String toString() {
    return "StaticCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=****]";
  }
}
