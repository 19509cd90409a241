package dev.featurepipe.extract.cdc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.SourceObjectCorrupt;
import dev.featurepipe.errors.SourceObjectMissing;
import dev.featurepipe.extract.ExtractItem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Fault injection only: these fake S3 clients answer one GET with a failure or a damaged body. */
class CdcConnectorReadFailureTest {

  private static final ExtractItem ITEM =
      ExtractItem.object("orders", "source-bucket", "cdc/orders/dt=2026-11-25/a.csv.gz", "a", 10, "etag");

  private static CdcConnector connector(S3Client s3) throws IOException {
    return new CdcConnector("orders",
        CdcSourceOptions.parse("orders", CdcTestSupport.YAML.readTree(CdcTestSupport.DMS_ORDERS)), s3, "source-bucket");
  }

  @Test
  void objectDeletedAfterPlanningIsReportedAsMissing() throws IOException {
    S3Client s3 = new S3Client() {
      @Override
      public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
        throw NoSuchKeyException.builder().message("gone").build();
      }

      @Override
      public String serviceName() {
        return "s3";
      }

      @Override
      public void close() {}
    };

    assertThatThrownBy(() -> connector(s3).read(ITEM, LocalDate.of(2026, 11, 25), new CdcTestSupport.Collected()))
        .isInstanceOf(SourceObjectMissing.class)
        .hasMessage("source object s3://source-bucket/cdc/orders/dt=2026-11-25/a.csv.gz (chunk a) does not exist; "
            + "it was listed when the run was planned, so rerun the date to re-plan");
  }

  @Test
  void truncatedGzipObjectIsCorruptNotSilentlyShort() throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write("I,1,1,a,1.00\nI,2,2,b,2.00\n".repeat(200).getBytes(StandardCharsets.UTF_8));
    }
    byte[] truncated = Arrays.copyOf(gz.toByteArray(), gz.size() / 2);
    S3Client s3 = new S3Client() {
      @Override
      public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
        return new ResponseInputStream<>(GetObjectResponse.builder().build(),
            AbortableInputStream.create(new ByteArrayInputStream(truncated)));
      }

      @Override
      public String serviceName() {
        return "s3";
      }

      @Override
      public void close() {}
    };

    assertThatThrownBy(() -> connector(s3).read(ITEM, LocalDate.of(2026, 11, 25), new CdcTestSupport.Collected()))
        .isInstanceOf(SourceObjectCorrupt.class)
        .hasMessageStartingWith("s3://source-bucket/cdc/orders/dt=2026-11-25/a.csv.gz is not a complete gzip stream (");
  }
}
