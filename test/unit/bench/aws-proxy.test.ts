import { describe, expect, it } from "vitest";
import { indexEntriesWritten } from "../../../bench/aws-proxy";

describe("the benchmark's billing of index entries in transactions", () => {
  it("counts an index entry when a Put's item carries the index's key", () => {
    const item = { pk: { S: "ORDER#s#1" }, sk: { S: "RECEIPT#03" }, openState: { S: "RESERVED" } };
    expect(indexEntriesWritten({ TableName: "t", Item: item })).toBe(1);
    expect(indexEntriesWritten({ TableName: "t", Item: { pk: { S: "p" }, sk: { S: "s" } } })).toBe(0);
  });

  it("counts an index entry when an Update's SET names the index's key, directly or through a placeholder", () => {
    expect(
      indexEntriesWritten({
        TableName: "t",
        UpdateExpression: "SET #state = :to, #a0 = :v0, #a1 = :v1, updatedAt = :now REMOVE #a2",
        ExpressionAttributeNames: {
          "#state": "state",
          "#a0": "openState",
          "#a1": "openSince",
          "#a2": "pendingCdr",
        },
      }),
    ).toBe(1);
    expect(
      indexEntriesWritten({ TableName: "t", UpdateExpression: "SET pendingCdr = :p, openState = :o" }),
    ).toBe(2);
  });

  it("does not count keys that are only removed, only set if missing, or not index keys", () => {
    expect(
      indexEntriesWritten({
        TableName: "t",
        UpdateExpression: "SET #last = :next, updatedAt = :now",
        ExpressionAttributeNames: { "#last": "last" },
      }),
    ).toBe(0);
    expect(
      indexEntriesWritten({
        TableName: "t",
        UpdateExpression: "SET #state = :to, #a0 = if_not_exists(#a0, :v0) REMOVE #a1",
        ExpressionAttributeNames: { "#state": "state", "#a0": "openState", "#a1": "pendingCdr" },
      }),
    ).toBe(0);
  });
});
