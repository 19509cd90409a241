package dev.featurepipe.infra.stack;

import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobProviderMetadata;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;

/**
 * The S3 endpoint: S3Proxy in this JVM over a jclouds filesystem blob store (one directory per
 * bucket under {@code baseDir}), bound to 127.0.0.1, AWS Signature V4 with the stack's fixed local
 * credentials.
 */
final class S3Server implements AutoCloseable {

  private final S3Proxy proxy;
  private final BlobStoreContext blobStore;
  private final URI endpoint;

  private S3Server(S3Proxy proxy, BlobStoreContext blobStore, URI endpoint) {
    this.proxy = proxy;
    this.blobStore = blobStore;
    this.endpoint = endpoint;
  }

  /** Starts on {@code port} (0 picks a free one) and returns once it accepts requests. */
  static S3Server start(Path baseDir, int port, String accessKeyId, String secretAccessKey) {
    Properties overrides = new Properties();
    overrides.setProperty(FilesystemConstants.PROPERTY_BASEDIR, baseDir.toString());
    // filesystem-nio2 is S3Proxy's own store; S3Proxy 3 deprecates jclouds' "filesystem" in its
    // favour. Naming the provider's metadata directly skips jclouds' ServiceLoader scan of every
    // provider (faster, and the Azure provider's SDK is excluded from our classpath).
    BlobStoreContext context =
        ContextBuilder.newBuilder(new FilesystemNio2BlobProviderMetadata())
            .overrides(overrides)
            // jclouds requires an identity for every provider; the filesystem store ignores it.
            .credentials(accessKeyId, secretAccessKey)
            .modules(List.of(new SLF4JLoggingModule()))
            .build(BlobStoreContext.class);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V4, accessKeyId, secretAccessKey)
            // Even with checksums WHEN_REQUIRED, SDK 2.30+ and current AWS CLIs put an
            // x-amz-checksum-crc32 header on DeleteObjects (S3 requires a checksum there), and
            // S3Proxy 3.0.0 answers 501 "Unknown header" to it. Ignoring such headers only skips
            // an integrity check on loopback traffic.
            .ignoreUnknownHeaders(true)
            .build();
    try {
      proxy.start();
      // Jetty reports STARTED from another thread; S3Proxy's own JUnit support waits the same way.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy state is " + proxy.getState() + " after 10 s");
        }
        Thread.sleep(5);
      }
    } catch (Exception e) {
      stopQuietly(proxy);
      context.close();
      if (hasCause(e, BindException.class)) {
        throw new PortTaken(port, "S3");
      }
      throw new StackStartFailed("S3Proxy failed to start on 127.0.0.1:" + port + ": " + e, e);
    }
    return new S3Server(proxy, context, URI.create("http://127.0.0.1:" + proxy.getPort()));
  }

  URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    stopQuietly(proxy);
    blobStore.close();
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      // Stopping a server that never started or already stopped throws; nothing is left to free.
    }
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
