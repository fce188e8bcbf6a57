import { describe, expect, it } from "vitest";
import { itemSize, valueSize, writeUnits } from "../../../bench/item-size";

// The rules of "Item sizes and formats" (DynamoDB Developer Guide), worked by hand.
describe("DynamoDB item size, as AWS bills it", () => {
  it("sizes strings in UTF-8 bytes and numbers by their significant digits", () => {
    expect(valueSize({ S: "abc" })).toBe(3);
    expect(valueSize({ S: "ñ" })).toBe(2);
    expect(valueSize({ N: "7" })).toBe(2); // one digit: 1 + 1
    expect(valueSize({ N: "12345" })).toBe(4); // five digits: 3 + 1
    expect(valueSize({ N: "1000" })).toBe(2); // trailing zeros are trimmed
    expect(valueSize({ N: "0.0012" })).toBe(2); // and leading ones
    expect(valueSize({ N: "-12" })).toBe(3); // a negative number takes a byte more
    expect(valueSize({ BOOL: true })).toBe(1);
    expect(valueSize({ NULL: true })).toBe(1);
  });

  it("adds 3 bytes to a list or map, 1 per element, and a map's keys", () => {
    expect(valueSize({ L: [] })).toBe(3);
    expect(valueSize({ L: [{ S: "ab" }, { N: "1" }] })).toBe(3 + (2 + 1) + (2 + 1));
    expect(valueSize({ M: { at: { S: "x" } } })).toBe(3 + (2 + 1 + 1));
  });

  it("adds each attribute's name, and rounds writes up to whole kilobytes", () => {
    expect(itemSize({ pk: { S: "ORDER#1#2" }, n: { N: "10" } })).toBe(2 + 9 + 1 + 2);
    expect(writeUnits(1)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });
});
