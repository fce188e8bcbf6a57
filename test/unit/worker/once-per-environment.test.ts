import { describe, expect, it } from "vitest";
import { oncePerEnvironment } from "../../../lib/once-per-environment";

describe("oncePerEnvironment", () => {
  it("builds once and hands the same collaborators to concurrent and later invocations", async () => {
    let builds = 0;
    const get = oncePerEnvironment(async () => ({ build: ++builds }));
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(builds).toBe(1);
  });

  it("does not keep a failed build, so a fixed configuration is picked up by the next invocation", async () => {
    let builds = 0;
    const get = oncePerEnvironment(async () => {
      builds++;
      if (builds === 1) throw new Error("TABLE_NAME is missing");
      return "ready";
    });
    await expect(get()).rejects.toThrow("TABLE_NAME is missing");
    expect(await get()).toBe("ready");
    expect(await get()).toBe("ready");
    expect(builds).toBe(2);
  });
});
