package dev.featurepipe.extract;

import dev.featurepipe.config.SourceConfig;
import dev.featurepipe.errors.SourceObjectCorrupt;
import dev.featurepipe.errors.SourceObjectMissing;
import dev.featurepipe.errors.SourceUnavailable;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Kind {@code s3_jsonl}: clickstream events as JSON Lines objects (gzip or plain, detected by magic
 * bytes) under {@code s3://<source bucket>/<prefix>dt=YYYY-MM-DD/}, one chunk per object, parsed
 * strictly by {@link ClickstreamParser}. The partition is the delivery date: with {@code
 * options.allowed_lateness_days} it also holds late events of the days before, which the feature
 * engine puts in their own day's tiles.
 */
public final class ClickstreamConnector implements SourceConnector {

  /** Longer lines are quarantined without being kept; 1 MiB is far beyond any real event. */
  static final int MAX_LINE_BYTES = 1 << 20;

  /** Bronze row order: event time, then event id, then source line, a total order. */
  static final Comparator<Record> ORDER = (a, b) -> {
    int c = a.get(1, OffsetDateTime.class).compareTo(b.get(1, OffsetDateTime.class));
    if (c != 0) {
      return c;
    }
    c = a.get(0, String.class).compareTo(b.get(0, String.class));
    return c != 0 ? c : Long.compare(a.get(8, Long.class), b.get(8, Long.class));
  };

  private final SourceConfig source;
  private final S3Client s3;
  private final String bucket;

  public ClickstreamConnector(SourceConfig source, S3Client s3, String bucket) {
    this.source = source;
    this.s3 = s3;
    this.bucket = bucket;
  }

  /** The most lateness {@code options.allowed_lateness_days} may allow: two weeks. */
  static final int MAX_LATENESS_DAYS = 14;

  /**
   * {@code options.allowed_lateness_days} (default 0): how many days before the partition date an
   * event may be and still be kept, as a late event of its own day.
   */
  public static int allowedLatenessDays(SourceConfig source) {
    com.fasterxml.jackson.databind.JsonNode options = source.options();
    if (options == null || options.isNull()) {
      return 0;
    }
    java.util.Iterator<String> names = options.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!name.equals("allowed_lateness_days")) {
        throw new dev.featurepipe.errors.ConfigInvalid("sources[" + source.id() + "].options." + name
            + ": kind s3_jsonl takes only allowed_lateness_days (its prefix and schema are top-level keys)");
      }
    }
    com.fasterxml.jackson.databind.JsonNode v = options.get("allowed_lateness_days");
    if (v == null || !v.isInt() || v.asInt() < 0 || v.asInt() > MAX_LATENESS_DAYS) {
      throw new dev.featurepipe.errors.ConfigInvalid("sources[" + source.id()
          + "].options.allowed_lateness_days: must be an integer between 0 and " + MAX_LATENESS_DAYS + ", got " + v);
    }
    return v.asInt();
  }

  @Override
  public List<ExtractItem> plan(LocalDate dt) {
    String prefix = source.prefix() + "dt=" + dt + "/";
    List<ExtractItem> items = new ArrayList<>();
    for (SourceObjects.Listed l : SourceObjects.list(s3, source.id(), bucket, prefix)) {
      items.add(ExtractItem.object(source.id(), bucket, l.object().key(), l.chunkId(), l.object().size(),
          l.object().eTag()));
    }
    if (items.isEmpty()) {
      throw new SourceUnavailable("source " + source.id() + ": no objects under s3://" + bucket + "/" + prefix
          + "; the source has not delivered " + dt + " yet");
    }
    return items;
  }

  @Override
  public Schema bronzeSchema() {
    return ClickstreamSchema.BRONZE;
  }

  @Override
  public Comparator<Record> bronzeOrder() {
    return ORDER;
  }

  @Override
  public void read(ExtractItem item, LocalDate dt, RowSink sink) {
    ClickstreamParser parser = new ClickstreamParser(dt, allowedLatenessDays(source));
    Lines.Sink lines = new Lines.Sink() {
      @Override
      public void line(byte[] buf, int off, int len, long lineNo) {
        if (isBlank(buf, off, len)) {
          return; // a blank line is not a record (trailing newlines, pretty exporters)
        }
        ClickstreamParser.Result r = parser.parse(buf, off, len, lineNo);
        if (r.event() != null) {
          sink.row(toRecord(r.event()));
        } else {
          sink.reject(lineNo, r.rejection(), new String(buf, off, len, StandardCharsets.UTF_8));
        }
      }

      @Override
      public void tooLong(long lineNo, long length) {
        sink.reject(lineNo, Rejection.of("line_too_long", "line has " + length + " bytes, more than " + MAX_LINE_BYTES),
            null);
      }
    };
    try (InputStream body = open(item)) {
      Lines.forEach(decoded(body), MAX_LINE_BYTES, lines);
    } catch (ZipException | EOFException e) {
      throw new SourceObjectCorrupt(
          "s3://" + item.bucket() + "/" + item.key() + " is not a complete gzip stream ("
              + e.getMessage() + "); re-deliver the object or remove it from the source", e);
    } catch (IOException e) {
      throw new SourceUnavailable("reading s3://" + item.bucket() + "/" + item.key() + " failed: " + e.getMessage(), e);
    }
  }

  private InputStream open(ExtractItem item) {
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
  public static InputStream decoded(InputStream raw) throws IOException {
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

  /** Spaces, tabs and carriage returns only: not a record (trailing newlines, pretty exporters). */
  public static boolean isBlank(byte[] buf, int off, int len) {
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
