/**
 * How many receipts per second `buildReceipt` makes for a 10-line order (line discounts, an order discount,
 * shipping, a bag line). Warm-up first (JIT), then a timed loop of a few seconds. Run: npm run bench:build
 */
import { readFileSync } from "node:fs";
import { buildReceipt, parseStoreConfigs } from "../lib/receipt";

const [store] = parseStoreConfigs(
  JSON.parse(readFileSync(new URL("../config/stores.json", import.meta.url), "utf8")),
);
if (!store) throw new Error("config/stores.json holds no store");

const lines = Array.from({ length: 10 }, (_, index) => {
  const isBag = index === 9;
  return {
    id: index + 1,
    name: isBag ? "Bolsa plástica" : `Producto ${index + 1}`,
    sku: isBag ? "BOLSA-PLASTICO" : `SKU-${index + 1}`,
    quantity: isBag ? 2 : index + 1,
    price: isBag ? "0.60" : `${(index + 1) * 7}.90`,
    discounts_total: index % 3 === 0 && !isBag ? "1.00" : "0.00",
  };
});
const linesTotal = lines.reduce(
  (acc, line) =>
    acc +
    Math.round(Number(line.price) * 100) * line.quantity -
    Math.round(Number(line.discounts_total) * 100),
  0,
);
const order = {
  id: 1,
  currency_code: "PEN",
  payment_status: "paid",
  billing_details: { company: "Kalagreen Sac", document_type: "ruc", document_number: "20601373034" },
  lines,
  discounts_total: "10.00",
  taxes_included: true,
  lines_total: (linesTotal / 100).toFixed(2),
  subtotal: ((linesTotal - 1000) / 100).toFixed(2),
  shipping_total: "15.00",
  total: ((linesTotal - 1000 + 1500) / 100).toFixed(2),
  placed: "2024-05-01T15:00:00Z",
};

const first = buildReceipt(order, store);
if (!first.ok) throw new Error(`the bench order is refused: ${JSON.stringify(first.problems)}`);

const WARM_UP_MS = 1_000;
const MEASURE_MS = 4_000;
let warmUntil = performance.now() + WARM_UP_MS;
while (performance.now() < warmUntil) buildReceipt(order, store);

let count = 0;
const start = performance.now();
const stopAt = start + MEASURE_MS;
while (performance.now() < stopAt) {
  for (let i = 0; i < 100; i++) buildReceipt(order, store);
  count += 100;
}
const elapsedSeconds = (performance.now() - start) / 1000;
warmUntil = 0;
const perSecond = Math.round(count / elapsedSeconds);
console.log(
  `buildReceipt, 10-line order: ${perSecond.toLocaleString("en-US")} receipts/s (${count} in ${elapsedSeconds.toFixed(2)} s, ${((elapsedSeconds / count) * 1e6).toFixed(1)} µs each; gross ${first.receipt.gross_total})`,
);
