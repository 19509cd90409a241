package dev.featurepipe.tests.contract;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a CloudFormation/SAM template into plain maps and lists. The short-form intrinsics become
 * their long form, as CloudFormation itself reads them: {@code !GetAtt A.B} is
 * {@code {"Fn::GetAtt": ["A", "B"]}}, {@code !Ref X} is {@code {"Ref": "X"}}, {@code !Sub s} is
 * {@code {"Fn::Sub": s}}. Plain SnakeYAML rejects the tags; Jackson's YAML reader drops them.
 */
final class CfnYaml {

  private CfnYaml() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> load(Path file) {
    Yaml yaml = new Yaml(new IntrinsicConstructor(new LoaderOptions()));
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Object doc = yaml.load(in);
      if (!(doc instanceof Map)) {
        throw new IllegalArgumentException(file + ": expected a YAML mapping at the top, got " + doc);
      }
      return (Map<String, Object>) doc;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  /** {@code {"Ref": "X"}} → X; anything else → null. */
  static String refOf(Object value) {
    return value instanceof Map<?, ?> m && m.size() == 1 && m.get("Ref") instanceof String s ? s : null;
  }

  private static final class IntrinsicConstructor extends SafeConstructor {

    IntrinsicConstructor(LoaderOptions options) {
      super(options);
      // A multi-constructor for the "!" prefix takes every local tag: !Ref, !GetAtt, !Sub, !If, ...
      this.yamlMultiConstructors.put("!", new ConstructIntrinsic());
    }

    private final class ConstructIntrinsic extends AbstractConstruct {
      @Override
      public Object construct(Node node) {
        String tag = node.getTag().getValue().substring(1);
        Object value =
            switch (node) {
              case ScalarNode s -> constructScalar(s);
              case SequenceNode s -> constructSequence(s);
              case MappingNode m -> constructMapping(m);
              default -> throw new IllegalArgumentException("unexpected YAML node " + node);
            };
        if (tag.equals("GetAtt") && value instanceof String s && s.indexOf('.') > 0) {
          int dot = s.indexOf('.');
          value = List.of(s.substring(0, dot), s.substring(dot + 1));
        }
        String key = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
        Map<String, Object> intrinsic = new LinkedHashMap<>();
        intrinsic.put(key, value);
        return intrinsic;
      }
    }
  }
}
