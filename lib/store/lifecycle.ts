/**
 * The receipt lifecycle, modelled once: the states a receipt record can be in and every move between them,
 * each with what guards it. The store (receipt-store.ts) refuses any write that is not a move of this table,
 * and makes every write conditional on the state AND the number the writer read, so a late or concurrent
 * writer (a retry, a replay, an overlapping poller run) can never act on a number the record no longer holds.
 * README.md draws the same table as a state diagram; a test keeps the two equal.
 */

export const RECEIPT_STATES = [
  "RESERVED", // a number is held and a POST with it may have been made: resolve it before anything else
  "SUBMITTED", // the API has the receipt; waiting for SUNAT (sits in the pending-CDR index)
  "ACCEPTED", // SUNAT accepted it (code 0, or ≥ 4000 with observations)
  "REJECTED", // SUNAT rejected it (2000–3999): its number is burnt
  "NEEDS_ATTENTION", // a person must act: a rule is broken, the API refused the data, or what landed differs
  "STALE", // no CDR within the maximum age
  "SKIPPED", // the order is not to be issued now (not paid, not placed); any number it held was released
  "CANCELED", // the order was cancelled before any receipt of it existed
] as const;

export type ReceiptState = (typeof RECEIPT_STATES)[number];

/** The table has no item for the order yet. */
export const NO_RECORD = "NONE";
export type StateOrNone = ReceiptState | typeof NO_RECORD;

/** States in which the record names a receipt the API holds: the order has its receipt; nothing is issued. */
export const ISSUED_STATES: readonly ReceiptState[] = ["SUBMITTED", "ACCEPTED", "REJECTED", "STALE"];

export type MoveName =
  | "reserve"
  | "renumber"
  | "repost"
  | "land"
  | "hold_landed"
  | "flag"
  | "release"
  | "cancel"
  | "sunat_answer"
  | "poll_again"
  | "stale"
  | "reissue"
  | "close"
  | "request_reissue"
  | "replace";

export interface Move {
  name: MoveName;
  from: readonly StateOrNone[];
  to: readonly ReceiptState[];
  /** What must be true, besides the state, for the move (the store enforces the number condition). */
  guard: string;
}

export const MOVES: readonly Move[] = [
  {
    name: "reserve",
    from: [NO_RECORD, "NEEDS_ATTENTION", "SKIPPED", "CANCELED"],
    to: ["RESERVED"],
    guard: "the record holds no number; the series counter moves n → n+1 in the same transaction",
  },
  {
    name: "renumber",
    from: ["RESERVED", "NEEDS_ATTENTION"],
    to: ["RESERVED"],
    guard:
      "the held number was resolved as not landed (or another receipt holds it); it is released and a new one taken",
  },
  {
    name: "repost",
    from: ["RESERVED", "NEEDS_ATTENTION"],
    to: ["RESERVED"],
    guard:
      "the held number was resolved as not landed; the same number is POSTed again with a body built now",
  },
  {
    name: "land",
    from: ["RESERVED", "NEEDS_ATTENTION"],
    to: ["SUBMITTED", "ACCEPTED", "REJECTED"],
    guard: "the API holds a receipt of this order that matches the order as it is now",
  },
  {
    name: "hold_landed",
    from: ["RESERVED", "NEEDS_ATTENTION"],
    to: ["NEEDS_ATTENTION"],
    guard: "the API holds a receipt of this order that differs from the order now (landed_receipt_differs)",
  },
  {
    name: "flag",
    from: [NO_RECORD, "RESERVED", "NEEDS_ATTENTION"],
    to: ["NEEDS_ATTENTION"],
    guard:
      "a rule is broken or the API refused the data; a held number is kept only once resolved as not landed",
  },
  {
    name: "release",
    from: ["RESERVED", "NEEDS_ATTENTION"],
    to: ["SKIPPED", "CANCELED"],
    guard: "the held number was resolved as not landed and the order is not to be issued now",
  },
  {
    name: "cancel",
    from: [NO_RECORD, "SKIPPED", "NEEDS_ATTENTION"],
    to: ["CANCELED"],
    guard: "the order is cancelled, no receipt of it exists and the record holds no number",
  },
  {
    name: "sunat_answer",
    from: ["SUBMITTED", "STALE"],
    to: ["ACCEPTED", "REJECTED"],
    guard: "SUNAT answered for the number the record holds",
  },
  {
    name: "poll_again",
    from: ["SUBMITTED"],
    to: ["SUBMITTED"],
    guard: "no answer yet, or a SUNAT exception (0100–1999): ask again later",
  },
  {
    name: "stale",
    from: ["SUBMITTED"],
    to: ["STALE"],
    guard: "no SUNAT answer within the maximum age (failed polls count too)",
  },
  {
    name: "request_reissue",
    from: ["NEEDS_ATTENTION"],
    to: ["NEEDS_ATTENTION"],
    guard: "the record holds a receipt that landed and differs; an operator asked to undo it (`cpe reissue`)",
  },
  {
    name: "replace",
    from: ["NEEDS_ATTENTION"],
    to: ["RESERVED"],
    guard:
      "the landed receipt it held is undone by an accepted credit note; a new number is taken for the order as it is now",
  },
  {
    name: "close",
    from: ["REJECTED"],
    to: ["CANCELED"],
    guard:
      "the order is cancelled and its receipt was rejected by SUNAT: nothing to credit, nothing to reissue",
  },
  {
    name: "reissue",
    from: ["REJECTED"],
    to: ["NEEDS_ATTENTION"],
    guard: "an operator asked to re-issue; the rejected (burnt) number is kept in burntNumbers, never reused",
  },
];

const BY_NAME = new Map(MOVES.map((move) => [move.name, move]));

/** The move, if `from → to` is one of its edges; otherwise an error (a programming mistake, never data). */
export function checkMove(name: MoveName, from: StateOrNone, to: ReceiptState): Move {
  const move = BY_NAME.get(name);
  if (move?.from.includes(from) && move.to.includes(to)) return move;
  throw new Error(`receipt lifecycle: "${name}" cannot move a record from ${from} to ${to}`);
}

/** Every edge of the table, for the README's diagram and its test. */
export function edges(): Array<{ from: StateOrNone; to: ReceiptState; move: MoveName }> {
  return MOVES.flatMap((move) =>
    move.from.flatMap((from) => move.to.map((to) => ({ from, to, move: move.name }))),
  );
}
