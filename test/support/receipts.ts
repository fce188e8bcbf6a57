import { expect } from "vitest";
import type { OrderKey, ReceiptRecord, ReceiptState } from "../../lib/store/receipt-record";
import type { ReceiptStore } from "../../lib/store/receipt-store";

/** Polls the order's receipt record until it is in one of `states` (fails the test after `timeout` ms). */
export async function waitForReceiptState(
  store: Pick<ReceiptStore, "get">,
  key: OrderKey,
  states: readonly ReceiptState[],
  timeout = 20_000,
): Promise<ReceiptRecord> {
  let record: ReceiptRecord | undefined;
  await expect
    .poll(
      async () => {
        record = await store.get(key);
        return record?.state;
      },
      { timeout, interval: 100 },
    )
    .toSatisfy((state) => states.includes(state as ReceiptState));
  return record as ReceiptRecord;
}
