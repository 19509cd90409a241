package dev.featurepipe.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.aws.AwsClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The embedded S3 through the AWS SDK v2 client that AwsClients builds for the pipeline. */
class S3CompatibilityTest {

  @TempDir static Path stateDir;

  private static EmbeddedStack stack;
  private static AwsClients clients;
  private static S3Client s3;
  private static String bucket;

  @BeforeAll
  static void startStack() {
    stack = EmbeddedStack.start(StackOptions.forTests(stateDir));
    clients = new AwsClients(stack.awsSettings());
    s3 = clients.s3();
    bucket = stack.options().lakeBucket();
  }

  @AfterAll
  static void stopStack() {
    clients.close();
    stack.close();
  }

  @Test
  void awkwardKeysRoundTripThroughPutListHeadGetAndDelete() {
    List<String> keys =
        List.of(
            "bronze/source_id=orders/dt=2026-01-01/part-0000-1a2b3c4d.parquet",
            "awkward/with space/and  two spaces.txt",
            "awkward/ünïcødé/日本語/ключ.json",
            "awkward/a=b=c/plus+sign&amp;percent%25/x.bin",
            "awkward/(parens)[brackets]{braces}'quote'!*~.txt");
    for (String key : keys) {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("content of " + key));
    }

    List<String> listed = new ArrayList<>();
    for (String prefix : List.of("bronze/", "awkward/")) {
      s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
          .map(S3Object::key)
          .forEach(listed::add);
    }
    assertThat(listed).containsExactlyInAnyOrderElementsOf(keys);

    for (String key : keys) {
      byte[] expected = ("content of " + key).getBytes(StandardCharsets.UTF_8);
      assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength())
          .as(key)
          .isEqualTo(expected.length);
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray())
          .as(key)
          .isEqualTo(expected);
    }

    for (String key : keys) {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    }
    assertThatThrownBy(() -> s3.headObject(b -> b.bucket(bucket).key(keys.get(1))))
        .isInstanceOf(NoSuchKeyException.class);
    assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("awkward/")).contents()).isEmpty();
  }

  @Test
  void rangedGetReturnsExactlyTheRequestedBytes() {
    byte[] data = seededBytes(1_000_000, 7);
    s3.putObject(b -> b.bucket(bucket).key("ranged/object.bin"), RequestBody.fromBytes(data));

    byte[] middle =
        s3.getObjectAsBytes(b -> b.bucket(bucket).key("ranged/object.bin").range("bytes=1000-1999"))
            .asByteArray();
    byte[] tail =
        s3.getObjectAsBytes(b -> b.bucket(bucket).key("ranged/object.bin").range("bytes=-8"))
            .asByteArray();

    assertThat(middle).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 2000));
    assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(data, data.length - 8, data.length));
  }

  @Test
  void multipartUploadAssemblesPartsInOrder() throws Exception {
    String key = "multipart/dt=2026-01-01/big file.bin";
    // S3's minimum part size is 5 MiB for every part but the last.
    byte[] part1 = seededBytes(5 * 1024 * 1024, 1);
    byte[] part2 = seededBytes(5 * 1024 * 1024, 2);
    byte[] part3 = seededBytes(123_457, 3);
    String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    byte[][] bodies = {part1, part2, part3};
    for (int i = 0; i < bodies.length; i++) {
      int partNumber = i + 1;
      byte[] body = bodies[i];
      String etag =
          s3.uploadPart(
                  b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                  RequestBody.fromBytes(body))
              .eTag();
      parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
    }
    s3.completeMultipartUpload(
        b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));

    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    for (byte[] body : bodies) {
      expected.update(body);
    }
    byte[] actual = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    assertThat(actual).hasSize(part1.length + part2.length + part3.length);
    assertThat(MessageDigest.getInstance("SHA-256").digest(actual)).isEqualTo(expected.digest());
  }

  @Test
  void uploadFromFileAndBatchDeleteWork(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("upload.bin");
    Files.write(file, seededBytes(300_000, 11));
    s3.putObject(b -> b.bucket(bucket).key("batch/one.bin"), RequestBody.fromFile(file));
    s3.putObject(b -> b.bucket(bucket).key("batch/two.bin"), RequestBody.fromString("two"));

    // DeleteObjects is the one call S3 requires a checksum on: WHEN_REQUIRED must still send one
    // that S3Proxy accepts.
    var response =
        s3.deleteObjects(
            b ->
                b.bucket(bucket)
                    .delete(
                        d ->
                            d.objects(
                                ObjectIdentifier.builder().key("batch/one.bin").build(),
                                ObjectIdentifier.builder().key("batch/two.bin").build())));

    assertThat(response.errors()).isEmpty();
    assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("batch/")).contents()).isEmpty();
  }

  @Test
  void listingPagesThroughContinuationTokens() {
    for (int i = 0; i < 7; i++) {
      String key = String.format(java.util.Locale.ROOT, "paged/part-%02d", i);
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
    }
    List<String> keys = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String continuation = token;
      ListObjectsV2Response page =
          s3.listObjectsV2(
              b -> b.bucket(bucket).prefix("paged/").maxKeys(3).continuationToken(continuation));
      page.contents().forEach(o -> keys.add(o.key()));
      token = page.nextContinuationToken();
      pages++;
    } while (token != null);

    assertThat(pages).isEqualTo(3);
    assertThat(keys)
        .containsExactly(
            "paged/part-00", "paged/part-01", "paged/part-02", "paged/part-03", "paged/part-04",
            "paged/part-05", "paged/part-06");
  }

  @Test
  void requestsSignedWithAnotherSecretAreRejected() {
    try (S3Client stranger =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(stack.s3Endpoint())
            .forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(EmbeddedStack.ACCESS_KEY_ID, "not-the-secret")))
            .build()) {
      assertThatThrownBy(() -> stranger.listObjectsV2(b -> b.bucket(bucket)))
          .isInstanceOfSatisfying(
              S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }
  }

  /**
   * Evidence for EndpointOverrideS3FileIOClientFactory#applyEndpointOverrideChecksums: a client
   * with the SDK's default checksums cannot upload to S3Proxy 3.0.0. When this test fails, S3Proxy
   * has learned the checksum trailer and the workaround can go.
   */
  @Test
  void sdkDefaultChecksumsAreRejectedByS3Proxy() {
    try (S3Client defaults =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(stack.s3Endpoint())
            .forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        EmbeddedStack.ACCESS_KEY_ID, EmbeddedStack.SECRET_ACCESS_KEY)))
            .build()) {
      assertThatThrownBy(
              () ->
                  defaults.putObject(
                      b -> b.bucket(bucket).key("checksums/default.txt"),
                      RequestBody.fromString("hello")))
          .isInstanceOfSatisfying(
              S3Exception.class,
              e ->
                  assertThat(e.awsErrorDetails().errorMessage())
                      .isEqualTo(
                          "The provided 'x-amz-content-sha256' header does not match what was"
                              + " computed."));
    }
  }

  private static byte[] seededBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
