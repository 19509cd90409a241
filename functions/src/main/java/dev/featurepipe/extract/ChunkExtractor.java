package dev.featurepipe.extract;

import dev.featurepipe.errors.SourceObjectCorrupt;
import dev.featurepipe.errors.SourceObjectMissing;
import dev.featurepipe.errors.SourceUnavailable;
import dev.featurepipe.lake.FileEntry;
import dev.featurepipe.lake.LakeLayout;
import dev.featurepipe.lake.LakeStore;
import dev.featurepipe.lake.ParquetFiles;
import dev.featurepipe.ops.Hashing;
import dev.featurepipe.ops.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Extracts one source object (gzip or plain JSON Lines) into one Bronze Parquet file plus, when
 * lines fail validation, one quarantine file listing each bad line with its reason. Output bytes
 * depend only on the object's content, the partition date and the chunk id.
 */
public final class ChunkExtractor {

  /** Longer lines are quarantined without being kept; 1 MiB is far beyond any real event. */
  static final int MAX_LINE_BYTES = 1 << 20;

  private final S3Client s3;
  private final LakeStore lake;

  public ChunkExtractor(S3Client s3, LakeStore lake) {
    this.s3 = s3;
    this.lake = lake;
  }

  public ChunkResult extract(ExtractItem item, String runId, LocalDate dt) {
    ClickstreamParser parser = new ClickstreamParser(dt);
    List<ClickEvent> events = new ArrayList<>();
    ByteArrayOutputStream quarantine = new ByteArrayOutputStream();
    Map<String, Long> reasons = new TreeMap<>();
    long[] blank = {0};
    long[] rejected = {0};
    Lines.Sink sink =
        new Lines.Sink() {
          @Override
          public void line(byte[] buf, int off, int len, long lineNo) {
            if (isBlank(buf, off, len)) {
              blank[0]++;
              return;
            }
            ClickstreamParser.Result r = parser.parse(buf, off, len, lineNo);
            if (r.event() != null) {
              events.add(r.event());
            } else {
              String raw = new String(buf, off, len, StandardCharsets.UTF_8);
              quarantine(lineNo, r.rejection(), raw);
            }
          }

          @Override
          public void tooLong(long lineNo, long length) {
            quarantine(lineNo, Rejection.of("line_too_long",
                "line has " + length + " bytes, more than " + MAX_LINE_BYTES), null);
          }

          private void quarantine(long lineNo, Rejection rejection, String raw) {
            rejected[0]++;
            reasons.merge(rejection.reason(), 1L, Long::sum);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("line", lineNo);
            entry.put("reason", rejection.reason());
            entry.put("detail", rejection.detail());
            entry.put("raw", raw);
            quarantine.writeBytes(Json.bytes(entry));
            quarantine.write('\n');
          }
        };

    long lines;
    String etag;
    long size;
    try (ResponseInputStream<GetObjectResponse> body = open(item)) {
      etag = body.response().eTag();
      size = body.response().contentLength() == null ? item.size() : body.response().contentLength();
      lines = Lines.forEach(decoded(body, item), MAX_LINE_BYTES, sink);
    } catch (ZipException | EOFException e) {
      throw new SourceObjectCorrupt(
          "s3://" + item.bucket() + "/" + item.key() + " is not a complete gzip stream ("
              + e.getMessage() + "); re-deliver the object or remove it from the source", e);
    } catch (IOException e) {
      throw new SourceUnavailable("reading s3://" + item.bucket() + "/" + item.key() + " failed: " + e.getMessage(), e);
    }

    events.sort(ClickEvent.BRONZE_ORDER);
    byte[] parquet = ParquetFiles.write(ClickstreamSchema.BRONZE, () -> events.stream().map(ChunkExtractor::toRecord).iterator());
    String sha = Hashing.sha256Hex(parquet);
    FileEntry bronze =
        lake.put(LakeLayout.bronzeFile(item.sourceId(), dt, item.chunkId(), sha), parquet, events.size(),
            "application/vnd.apache.parquet");
    FileEntry quarantined = null;
    if (rejected[0] > 0) {
      quarantined =
          lake.put(LakeLayout.quarantineFile(item.sourceId(), dt, item.chunkId()), quarantine.toByteArray(),
              rejected[0], "application/x-ndjson");
    }
    ChunkResult result =
        new ChunkResult(item.sourceId(), item.chunkId(), item.bucket(), item.key(), etag, size, lines,
            blank[0], bronze, quarantined, rejected[0], new TreeMap<>(reasons));
    lake.putJson(LakeLayout.extractResult(runId, item.sourceId(), item.chunkId()), result);
    return result;
  }

  private ResponseInputStream<GetObjectResponse> open(ExtractItem item) {
    try {
      return s3.getObject(b -> b.bucket(item.bucket()).key(item.key()));
    } catch (NoSuchKeyException e) {
      throw new SourceObjectMissing(
          "source object s3://" + item.bucket() + "/" + item.key() + " (chunk " + item.chunkId()
              + ") does not exist; it was listed when the run was planned, so rerun the date to re-plan");
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new SourceObjectMissing("source bucket or object s3://" + item.bucket() + "/" + item.key()
            + " does not exist (HTTP 404)");
      }
      throw new SourceUnavailable(
          "source s3://" + item.bucket() + "/" + item.key() + " answered HTTP " + e.statusCode()
              + " (" + e.awsErrorDetails().errorCode() + ")", e);
    } catch (SdkClientException e) {
      throw new SourceUnavailable("source s3://" + item.bucket() + " is unreachable: " + e.getMessage(), e);
    }
  }

  /** Gzip is detected by its magic bytes, not the key's suffix: sources name files loosely. */
  private static InputStream decoded(InputStream raw, ExtractItem item) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      return new GZIPInputStream(in, 1 << 16);
    }
    return in;
  }

  private static boolean isBlank(byte[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      byte b = buf[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  static Record toRecord(ClickEvent e) {
    GenericRecord r = GenericRecord.create(ClickstreamSchema.BRONZE);
    r.set(0, e.eventId());
    r.set(1, e.eventTime().atOffset(ZoneOffset.UTC));
    r.set(2, e.userId());
    r.set(3, e.productId());
    r.set(4, e.eventType());
    r.set(5, e.price());
    r.set(6, e.quantity());
    r.set(7, e.sessionId());
    r.set(8, e.sourceLine());
    return r;
  }
}
