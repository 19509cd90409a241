package dev.featurepipe.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.InvalidInput;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class DailyPlannerTest {

  @Test
  void schedulerTimePlansThePreviousUtcDay() {
    assertThat(DailyPlanner.runDate(new PlanRequest(null, "2026-11-25T02:00:00Z", null, null, null, null)))
        .isEqualTo(LocalDate.of(2026, 11, 24));
    assertThat(DailyPlanner.runDate(new PlanRequest(null, "2026-11-25T00:30:00+01:00", null, null, null, null)))
        .isEqualTo(LocalDate.of(2026, 11, 23));
  }

  @Test
  void aRequestWithoutADateSaysWhatToSend() {
    assertThatThrownBy(() -> DailyPlanner.runDate(new PlanRequest(null, null, null, null, null, null)))
        .isInstanceOf(InvalidInput.class)
        .hasMessage("date: required (or scheduledTime from the scheduler), e.g. {\"date\":\"2026-11-24\"}");
  }
}
