package dev.featurepipe.infra.demo;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The demo's {@code users} table, deterministic: the same {@link Spec} always gives the same rows.
 * One row per clickstream user ({@link ClickstreamGenerator#userId}, keys {@code 1..users}), with
 * the awkward values real tables hold: unicode and apostrophes in names, SQL NULLs, microsecond
 * signup times, lifetime values up to the column's precision. After them come {@code brokenRows}
 * legacy rows imported without a signup time, which the pipeline must quarantine ({@code
 * required_null}).
 */
public final class UsersGenerator {

  /** What to generate; {@link #of} matches a clickstream's users. */
  public record Spec(long seed, LocalDate date, int users, int brokenRows) {
    public Spec {
      if (date == null || users < 1 || brokenRows < 0) {
        throw new IllegalArgumentException("date set, users >= 1, brokenRows >= 0; got " + this);
      }
    }

    /** A user for every user id the clickstream of {@code clicks} can name, and a few broken rows. */
    public static Spec of(ClickstreamGenerator.Spec clicks) {
      return new Spec(clicks.seed(), clicks.date(), clicks.users(), Math.max(2, clicks.users() / 1000));
    }
  }

  /** One row of {@code users}; null components are SQL NULLs. */
  public record User(
      long id,
      String userId,
      String name,
      String country,
      OffsetDateTime signedUpAt,
      String plan,
      BigDecimal lifetimeValue) {

    /** Whether the pipeline keeps the row: the demo config declares {@code signed_up_at} required. */
    public boolean valid() {
      return signedUpAt != null;
    }
  }

  /** The table's rows in key order. */
  public record Dataset(Spec spec, List<User> rows) {
    public Dataset {
      rows = List.copyOf(rows);
    }

    public List<User> valid() {
      return rows.stream().filter(User::valid).toList();
    }

    public List<User> broken() {
      return rows.stream().filter(u -> !u.valid()).toList();
    }
  }

  /** The reason the pipeline gives a broken row. */
  public static final String BROKEN_REASON = "required_null";

  static final List<String> PLANS = List.of("free", "plus", "pro", "enterprise");

  static final List<String> COUNTRIES = List.of("US", "DE", "FR", "JP", "BR", "IN", "GB", "PL", "VN", "NG");

  static final List<String> FIRST_NAMES = List.of("Ada", "José", "Zoë", "Łukasz", "Søren", "Ngọc Anh", "Aiko", "Chloé",
      "Mateus", "Priya", "Ярослава", "Oğuz", "Siobhán", "Nnamdi", "Björk", "Ana");

  static final List<String> LAST_NAMES = List.of("Müller", "O'Brien", "García", "Nowak", "Ólafsdóttir", "Nguyễn", "田中",
      "Dubois", "Silva", "Sharma", "Коваленко", "Yılmaz", "Ní Bhriain", "Okafor", "Guðmundsdóttir", "Lee");

  /** The largest numeric(12,2): a whale account sits exactly at the column's limit. */
  static final BigDecimal MAX_LIFETIME_VALUE = new BigDecimal("9999999999.99");

  private static final OffsetDateTime FIRST_SIGNUP = OffsetDateTime.of(2019, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private UsersGenerator() {}

  public static Dataset generate(Spec spec) {
    // Its own stream (a different seed than the clickstream's), so neither changes the other.
    SplittableRandom rnd = new SplittableRandom(spec.seed() * 1_000_003L + 17);
    long spanMicros = ChronoUnit.MICROS.between(FIRST_SIGNUP, spec.date().atStartOfDay().atOffset(ZoneOffset.UTC));
    List<User> rows = new ArrayList<>(spec.users() + spec.brokenRows());
    for (int i = 0; i < spec.users() + spec.brokenRows(); i++) {
      boolean broken = i >= spec.users();
      String name = rnd.nextInt(25) == 0 ? null
          : FIRST_NAMES.get(rnd.nextInt(FIRST_NAMES.size())) + " " + LAST_NAMES.get(rnd.nextInt(LAST_NAMES.size()));
      String country = rnd.nextInt(33) == 0 ? null : COUNTRIES.get(ClickstreamGenerator.skewed(rnd, COUNTRIES.size()));
      OffsetDateTime signedUp = FIRST_SIGNUP.plus(rnd.nextLong(spanMicros), ChronoUnit.MICROS);
      double u = rnd.nextDouble();
      int plan = u < 0.60 ? 0 : u < 0.85 ? 1 : u < 0.97 ? 2 : 3;
      BigDecimal ltv = lifetimeValue(rnd, plan);
      rows.add(new User(i + 1L,
          broken ? String.format(Locale.ROOT, "legacy-%05d", i - spec.users()) : ClickstreamGenerator.userId(i),
          name, country, broken ? null : signedUp, PLANS.get(plan), i % 997 == 500 ? MAX_LIFETIME_VALUE : ltv));
    }
    return new Dataset(spec, rows);
  }

  /** Null for users who never bought; otherwise grows with the plan. */
  private static BigDecimal lifetimeValue(SplittableRandom rnd, int plan) {
    if (rnd.nextInt(8) == 0) {
      return null;
    }
    long cents = switch (plan) {
      case 0 -> rnd.nextLong(5_000);
      case 1 -> 1_000 + rnd.nextLong(50_000);
      case 2 -> 10_000 + rnd.nextLong(500_000);
      default -> 100_000 + rnd.nextLong(50_000_000);
    };
    return BigDecimal.valueOf(cents, 2);
  }
}
