package dev.featurepipe.infra.cli;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A DynamoDB item as plain JSON values for printing; the packed vector decoded as float32 little-endian. */
final class ItemJson {

  private ItemJson() {}

  static Map<String, Object> toPlain(Map<String, AttributeValue> item) {
    Map<String, Object> out = new TreeMap<>();
    item.forEach((name, v) -> out.put(name, plain(name, v)));
    return out;
  }

  private static Object plain(String name, AttributeValue v) {
    if (v.s() != null) return v.s();
    if (v.n() != null) return new BigDecimal(v.n());
    if (v.b() != null) {
      ByteBuffer buf = v.b().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      List<Float> floats = new ArrayList<>();
      while (buf.remaining() >= 4) floats.add(buf.getFloat());
      return floats;
    }
    if (v.bool() != null) return v.bool();
    if (v.hasM()) return toPlain(v.m());
    if (v.hasL()) return v.l().stream().map(x -> plain(name, x)).toList();
    return null;
  }
}
