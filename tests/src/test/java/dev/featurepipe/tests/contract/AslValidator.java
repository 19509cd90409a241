package dev.featurepipe.tests.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the npm package asl-validator (pinned in infra/local/package.json) on a definition, after
 * replacing each {@code ${X}} with a well-formed Lambda alias ARN, as SAM's DefinitionSubstitutions
 * would. A missing install is a failure, never a skip: a skipped contract test is a passing one.
 */
final class AslValidator {

  static final String INSTALL_HINT = "run npm ci --prefix infra/local (./featurepipe test does this)";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

  record Result(int exitCode, String output) {}

  private final Path cli;

  private AslValidator(Path cli) {
    this.cli = cli;
  }

  /** The validator installed under {@code <root>/infra/local}; throws with the install hint if absent. */
  static AslValidator installedUnder(Path root) {
    Path pkg = root.resolve("infra/local/node_modules/asl-validator");
    Path manifest = pkg.resolve("package.json");
    if (!Files.isRegularFile(manifest)) {
      throw new AssertionError("asl-validator is not installed in " + root.relativize(pkg).getParent()
          + ": " + INSTALL_HINT);
    }
    try {
      JsonNode bin = new ObjectMapper().readTree(manifest.toFile()).path("bin");
      String script = bin.isTextual() ? bin.asText() : bin.path("asl-validator").asText();
      if (script.isEmpty()) {
        throw new AssertionError(manifest + " declares no asl-validator bin script");
      }
      return new AslValidator(pkg.resolve(script).normalize());
    } catch (IOException e) {
      throw new UncheckedIOException(manifest.toString(), e);
    }
  }

  /** Writes the substituted definition into {@code workDir} (same file name) and validates it. */
  Result validate(Path definition, Path workDir) {
    try {
      Path substituted = workDir.resolve(definition.getFileName());
      Files.writeString(substituted, substitute(Files.readString(definition, StandardCharsets.UTF_8)),
          StandardCharsets.UTF_8);
      Process process = new ProcessBuilder(List.of("node", cli.toString(), "--json-path", substituted.toString()))
          .redirectErrorStream(true)
          .start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("asl-validator did not finish within 120 s on " + definition);
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new AssertionError("cannot run node (Node 20+ must be on PATH) for " + cli + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** ${PlanDailyRunFunctionArn} → arn:aws:lambda:us-east-1:123456789012:function:PlanDailyRunFunctionArn:live. */
  static String substitute(String definition) {
    Matcher m = PLACEHOLDER.matcher(definition);
    return m.replaceAll(r -> Matcher.quoteReplacement(
        "arn:aws:lambda:us-east-1:123456789012:function:" + r.group(1) + ":live"));
  }
}
