package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.FrameType;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml and docs/asyncapi.yaml against the server itself, so they cannot drift: the
 * OpenAPI document is valid and describes exactly the routes a node registers (DEV_MODE, so the
 * development routes are there too), the AsyncAPI document's WebSocket frames are exactly
 * {@link FrameType}'s, and both documents' error codes are exactly {@link ErrorCode}'s. The AsyncAPI
 * document is validated by the official parser in the Node test run (src/test/js/asyncapi.test.mjs).
 */
class ContractDocumentsTest extends ServerTestBase {
  private static final Path DOCS = Path.of("").toAbsolutePath().resolveSibling("docs");
  private static final YAMLMapper YAML = new YAMLMapper();

  @Override
  protected Map<String, String> settings() {
    return Map.of("DEV_MODE", "true", "JWT_SECRET", ""); // no configured key: the dev routes are served
  }

  private static OpenAPI openApi() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readLocation(DOCS.resolve("openapi.yaml").toUri().toString(), null, options);
    assertTrue(result.getMessages() == null || result.getMessages().isEmpty(), "openapi.yaml is not valid: " + result.getMessages());
    assertNotNull(result.getOpenAPI(), "openapi.yaml did not parse");
    return result.getOpenAPI();
  }

  @Test
  @DisplayName("openapi.yaml is valid OpenAPI 3 and describes exactly the routes the server registers")
  void openApiMatchesTheRoutes() {
    Set<String> documented = new TreeSet<>();
    for (Map.Entry<String, PathItem> path : openApi().getPaths().entrySet()) {
      path.getValue().readOperationsMap().keySet().forEach(method -> documented.add(method + " " + path.getKey()));
    }
    Set<String> registered = new TreeSet<>();
    for (Route route : node.routes()) {
      if (route.getPath() == null) {
        continue; // handlers for every request (CORS), not endpoints
      }
      String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
      assertNotNull(route.methods(), "a route for every method: " + path);
      route.methods().stream().map(HttpMethod::name).forEach(method -> registered.add(method + " " + path));
    }
    assertEquals(registered, documented);
  }

  @Test
  @DisplayName("GET /realtime/openapi.yaml serves docs/openapi.yaml as it is")
  void openApiIsServed() throws IOException {
    Response response = request(HttpMethod.GET, "/realtime/openapi.yaml", null, null);
    assertEquals(200, response.status());
    assertTrue(response.headers().get("content-type").startsWith("application/yaml"), response.headers().toString());
    assertEquals(Files.readString(DOCS.resolve("openapi.yaml"), StandardCharsets.UTF_8), response.body());
  }

  @Test
  @DisplayName("asyncapi.yaml's WebSocket frames are exactly the server's frame types, each with its type as a constant")
  void asyncApiMatchesTheFrameTypes() throws IOException {
    JsonNode doc = YAML.readTree(DOCS.resolve("asyncapi.yaml").toFile());
    Set<String> documented = new TreeSet<>();
    doc.path("channels").path("websocket").path("messages").forEach(ref -> {
      JsonNode message = resolve(doc, ref);
      JsonNode payload = resolve(doc, message.path("payload"));
      if (message.path("contentType").asText().equals("application/octet-stream")) {
        return; // binary frames have no type
      }
      String type = payload.path("properties").path("type").path("const").asText(null);
      assertNotNull(type, "a frame without a constant type: " + ref);
      assertEquals(message.path("name").asText(), type, "a message's name is its frame type");
      documented.add(type);
    });
    assertEquals(stringConstants(FrameType.class), documented);
  }

  @Test
  @DisplayName("both documents list exactly the server's error codes")
  void errorCodes() throws IOException {
    Set<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toCollection(TreeSet::new));
    List<?> inOpenApi = openApi().getComponents().getSchemas().get("ErrorCode").getEnum();
    assertEquals(codes, inOpenApi.stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new)));
    JsonNode asyncapi = YAML.readTree(DOCS.resolve("asyncapi.yaml").toFile());
    Set<String> documented = new TreeSet<>();
    asyncapi.path("components").path("schemas").path("ErrorCode").path("enum").forEach(code -> documented.add(code.asText()));
    assertEquals(codes, documented);
  }

  /** Follows a local {@code $ref} ({@code #/a/b/c}) until a node without one. */
  private static JsonNode resolve(JsonNode doc, JsonNode node) {
    while (node.has("$ref")) {
      JsonNode target = doc;
      for (String part : node.get("$ref").asText().substring(2).split("/")) {
        target = target.path(part);
      }
      assertTrue(!target.isMissingNode(), "unresolved " + node.get("$ref"));
      node = target;
    }
    return node;
  }

  private static Set<String> stringConstants(Class<?> type) {
    Set<String> values = new TreeSet<>();
    for (Field field : type.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        try {
          values.add((String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return values;
  }
}
