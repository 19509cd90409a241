package dev.featurepipe.infra.stack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./featurepipe stack}: runs the embedded stack in the foreground on the default ports (or
 * those given), prints how to reach it, and stops it on Ctrl-C.
 */
public final class StackMain {

  static final String USAGE =
      """
      Usage: featurepipe stack [--s3-port N] [--dynamodb-port N] [--state-dir DIR]

      Runs the local stack (S3, DynamoDB, Iceberg catalog) in the foreground until Ctrl-C.
      Defaults: S3 on 127.0.0.1:4566, DynamoDB on 127.0.0.1:8000, state in <repo>/.featurepipe.
      Port 0 picks a free port.""";

  private StackMain() {}

  public static void main(String[] args) {
    StackOptions options;
    try {
      options = parse(args, StackOptions.defaults(RepoRoot.locate()));
    } catch (HelpRequested e) {
      System.out.println(USAGE);
      return;
    } catch (IllegalArgumentException | StackStartFailed e) {
      System.err.println("featurepipe stack: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    EmbeddedStack stack;
    try {
      stack = EmbeddedStack.start(options);
    } catch (StackStartFailed e) {
      System.err.println("featurepipe stack: " + e.getMessage());
      System.exit(1);
      return;
    }
    // EmbeddedStack's own shutdown hook stops it on Ctrl-C; the main thread only has to wait.
    printBanner(stack, System.out);
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stack.close();
    }
  }

  static StackOptions parse(String[] args, StackOptions defaults) {
    StackOptions options = defaults;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "-h", "--help", "help" -> throw new HelpRequested();
        case "--s3-port" ->
            options = options.withPorts(port(arg, value(args, ++i, arg)), options.dynamoDbPort());
        case "--dynamodb-port" ->
            options = options.withPorts(options.s3Port(), port(arg, value(args, ++i, arg)));
        case "--state-dir" -> options = options.withStateDir(Path.of(value(args, ++i, arg)));
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    return options;
  }

  static void printBanner(EmbeddedStack stack, PrintStream out) {
    StackOptions o = stack.options();
    String s3 = stack.s3Endpoint().toString();
    String dynamo = stack.dynamoDbEndpoint().toString();
    Map<String, String> env = stack.environment();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "FeaturePipe local stack is up in %.1f s; state in %s%n%n",
            stack.startupDuration().toMillis() / 1000.0,
            o.stateDir()));
    b.append(String.format(Locale.ROOT, "  S3        %-24s buckets %s, %s%n", s3, o.lakeBucket(), o.sourceBucket()));
    b.append(
        String.format(
            Locale.ROOT, "  DynamoDB  %-24s tables  %s, %s%n", dynamo, o.featureTable(), o.controlTable()));
    b.append(
        String.format(
            Locale.ROOT,
            "  Iceberg   %s, warehouse %s, namespace %s%n%n",
            stack.awsSettings().catalog().jdbcUri().orElseThrow(),
            stack.awsSettings().catalog().warehouse(),
            stack.awsSettings().catalog().database()));
    b.append("Look inside with the AWS CLI (local-only credentials, not a secret):\n");
    b.append(
        String.format(
            Locale.ROOT,
            "  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s%n",
            EmbeddedStack.ACCESS_KEY_ID,
            EmbeddedStack.SECRET_ACCESS_KEY,
            EmbeddedStack.REGION));
    b.append(
        String.format(
            Locale.ROOT, "  aws --endpoint-url %s s3 ls s3://%s/ --recursive%n", s3, o.lakeBucket()));
    b.append(
        String.format(
            Locale.ROOT,
            "  aws dynamodb scan --endpoint-url %s --table-name %s%n",
            dynamo,
            o.featureTable()));
    b.append(
        String.format(
            Locale.ROOT,
            "  aws dynamodb get-item --endpoint-url %s --table-name %s --key '{\"pk\":{\"S\":\"meta:<group>_v<N>\"},\"sk\":{\"S\":\"meta\"}}'%n%n",
            dynamo,
            o.featureTable()));
    b.append("Environment for other tools and SDKs:\n");
    env.forEach((k, v) -> b.append("  export ").append(k).append('=').append(v).append('\n'));
    b.append("\nPress Ctrl-C to stop.");
    out.println(b);
    out.flush();
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static int port(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": must be a port number, got " + value);
    }
  }

  private static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HelpRequested() {
      super(null, null, false, false);
    }
  }
}
