package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's JVM client example, taken from README.md as it is, compiled against this module and
 * run in a JVM of its own against a real node: the documented example keeps working.
 */
class ReadmeExampleTest {
  private static final Path README = Path.of("").toAbsolutePath().resolveSibling("README.md");

  /** The first java block of the "JVM client" section. */
  private static String example() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int section = readme.indexOf("\n## JVM client\n");
    assertTrue(section >= 0, "README.md has no 'JVM client' section");
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(block.find(section), "the section has no java block");
    return block.group(1);
  }

  /** This module's classes and its runtime dependencies (Jackson): what a user puts on the class path. */
  private static String classPath() throws Exception {
    return Stream.of(RealtimeClient.class, ObjectMapper.class, JsonFactory.class, JsonCreator.class)
        .map(type -> type.getProtectionDomain().getCodeSource().getLocation())
        .map(url -> {
          try {
            return Path.of(url.toURI()).toString();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        })
        .collect(Collectors.joining(File.pathSeparator));
  }

  @Test
  @DisplayName("the README example compiles and runs as written: it connects, publishes, and hears its message")
  void readmeExampleRuns(@TempDir Path dir) throws Exception {
    Path source = dir.resolve("ChatExample.java");
    Files.writeString(source, example());
    String classPath = classPath();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, "-d", dir.toString(), "-cp", classPath, source.toString()), "javac failed");

    try (TestServer server = TestServer.start()) {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process process = new ProcessBuilder(java.toString(), "-cp", dir + File.pathSeparator + classPath, "ChatExample",
          server.url().toString(), TestServer.token("alice")).redirectErrorStream(true).start();
      boolean ended = process.waitFor(60, TimeUnit.SECONDS);
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!ended) {
        process.destroyForcibly();
      }
      assertTrue(ended, "the example did not end within 60 s:\n" + output);
      assertEquals(0, process.exitValue(), output);
      List<String> lines = output.lines().toList();
      assertTrue(lines.contains("state: CONNECTED"), output);
      assertTrue(lines.contains("stored as seq 1"), output);
      assertTrue(lines.contains("alice #1: {\"text\":\"hello from Java\"}"), output);
    }
  }
}
