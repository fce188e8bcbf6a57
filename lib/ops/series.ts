import type { SeriesCounter } from "../store/receipt-store";
import { OptionError } from "./args";
import { formatTable } from "./text";

/**
 * `cpe series list|seed|set`: the per-series counters this product numbers receipts from, beside the highest
 * correlative the API already holds in each series. A counter only moves up: it never goes below the API's
 * highest (the next receipt would collide with an existing one) nor below its own value (numbers this product
 * reserved may have been POSTed).
 */

export interface SeriesDeps {
  readCounter(storeId: number, series: string): Promise<SeriesCounter | undefined>;
  listCounters(storeId: number): Promise<SeriesCounter[]>;
  raiseCounter(storeId: number, series: string, atLeast: number, now: Date): Promise<number>;
  apiHighest(series: string): Promise<number>;
  now(): Date;
}

export interface SeriesRow {
  series: string;
  /** The last correlative this product gave out; null: no counter yet (it is seeded on first use). */
  counter: number | null;
  apiHighest: number;
  /** The number the next receipt of the series gets. */
  next: number;
}

const SERIES = /^[A-Z0-9]{4}$/;

export function parseSeriesName(value: string): string {
  const series = value.trim().toUpperCase();
  if (!SERIES.test(series))
    throw new OptionError(`"${value}" no es una serie: 4 letras o dígitos, p. ej. F001`);
  return series;
}

/** The store's configured series and any series that has a counter, with the API's highest of each. */
export async function listSeries(
  storeId: number,
  configured: readonly string[],
  deps: SeriesDeps,
): Promise<SeriesRow[]> {
  const counters = await deps.listCounters(storeId);
  const names = [...new Set([...configured, ...counters.map((counter) => counter.series)])].sort();
  return Promise.all(
    names.map(async (series) => {
      const counter = counters.find((entry) => entry.series === series)?.last ?? null;
      const apiHighest = await deps.apiHighest(series);
      return { series, counter, apiHighest, next: Math.max(counter ?? 0, apiHighest) + 1 };
    }),
  );
}

/** Raises the counter to the API's highest (creates it when missing); never lowers it. */
export async function seedSeries(storeId: number, series: string, deps: SeriesDeps): Promise<SeriesRow> {
  const apiHighest = await deps.apiHighest(series);
  const counter = await deps.raiseCounter(storeId, series, apiHighest, deps.now());
  return { series, counter, apiHighest, next: counter + 1 };
}

/** Sets the counter to `value` (the next receipt gets value + 1); refuses anything that would reuse a number. */
export async function setSeries(
  storeId: number,
  series: string,
  value: number,
  deps: SeriesDeps,
): Promise<SeriesRow> {
  const [apiHighest, current] = await Promise.all([
    deps.apiHighest(series),
    deps.readCounter(storeId, series),
  ]);
  if (value < apiHighest) {
    throw new OptionError(
      `${series}: ${value} es menor que el mayor número que tiene la API (${series}-${apiHighest}); el siguiente comprobante chocaría con él`,
    );
  }
  if (current && value < current.last) {
    throw new OptionError(
      `${series}: ${value} es menor que el contador (${current.last}); los números hasta ${series}-${current.last} se entregaron y pueden haberse enviado`,
    );
  }
  const counter = await deps.raiseCounter(storeId, series, value, deps.now());
  return { series, counter, apiHighest, next: counter + 1 };
}

export function formatSeries(rows: readonly SeriesRow[]): string {
  return formatTable(
    ["Serie", "Contador", "Mayor en Acelérala", "Siguiente"],
    rows.map((row) => [
      row.series,
      row.counter === null ? "- (se inicia en el primer uso)" : String(row.counter),
      String(row.apiHighest),
      `${row.series}-${row.next}`,
    ]),
  );
}
