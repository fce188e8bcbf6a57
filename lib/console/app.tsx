/** @jsxImportSource hono/jsx */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { jsxRenderer } from "hono/jsx-renderer";
import type { AceleralaClient } from "../acelerala/client";
import {
  OptionError,
  parseDateOption,
  parseEndDateOption,
  parseOrderId,
  parsePositiveInteger,
  parseStateFilter,
} from "../ops/args";
import type { Enqueue } from "../ops/backfill";
import { joinReceiptRecords, type PeekResult, type ReplayResult } from "../ops/dlq";
import { listOrderRows, orderRowById } from "../ops/order-list";
import { statusView } from "../ops/receipt-view";
import { explainResendError, resendOrders } from "../ops/resend";
import { safeText } from "../ops/text";
import type { ReceiptStore } from "../store/receipt-store";
import { CONSOLE_CSS, htmxScript } from "./assets";
import {
  dlqPageModel,
  type FilterValues,
  type FrameModel,
  frameModel,
  orderPageModel,
  ordersPageModel,
  PAGE_SIZE,
  PATHS,
  replayPageModel,
  sendPageModel,
} from "./models";
import { PROXY_ORIGIN_HEADER } from "./proxy-origin";
import { DlqPage, MessagePage, OrderPage, OrdersPage, SendPage } from "./views";

/**
 * The merchant's web console (issue 13): the seed plugin's order table with the bulk "Enviar documentos al
 * API", the order page and the dead-letter queue, server-rendered by Hono's JSX. The same app runs on Lambda
 * behind a Function URL (functions/console) and locally in `npm start` (the local Lambda runner).
 *
 * Requests that change something are POSTs protected twice against cross-site forgery, both without
 * JavaScript: Hono's Origin / Sec-Fetch-Site check, and a token in a cookie (SameSite=Strict) that every form
 * repeats in a hidden field.
 */

export interface ConsoleDeps {
  /** The stores of config/stores.json; the first is shown by default. */
  storeIds: readonly number[];
  /** The Acelérala client of a store. */
  api(storeId: number): Promise<Pick<AceleralaClient, "listOrders" | "getOrder">>;
  records: Pick<ReceiptStore, "get" | "notesOf" | "summary" | "markForReissue">;
  enqueue: Enqueue;
  dlq: {
    peek(max: number): Promise<PeekResult>;
    replay(options: { dryRun: boolean; max?: number }): Promise<ReplayResult>;
  };
  now(): Date;
  /** The Host headers the console answers (locally its loopback address, against DNS rebinding); absent: any. */
  allowedHosts?: readonly string[];
  /**
   * On AWS the only callers are signed (AWS_IAM): `cpe console --aws`'s proxy, which names the origin the
   * browser sees in PROXY_ORIGIN_HEADER. Only then is that origin trusted for the Origin check.
   */
  trustProxyOrigin?: boolean;
  /** Where unexpected errors are reported (the function's logger). */
  logError?(message: string, error: unknown): void;
}

type ConsoleEnv = {
  Variables: {
    deps: ConsoleDeps;
    frame: (title: string, section: FrameModel["section"]) => FrameModel;
    storeId: number;
  };
};

export const CSRF_COOKIE = "cpe_csrf";
export const CSRF_FIELD = "csrf";
/** At most this many orders per send: each is a read, an API call and a queue message (seconds, not minutes). */
export const MAX_ORDERS_PER_SEND = 100;

/** The CSRF token of this browser: the cookie's, or a new one (set on the response). */
function csrfToken(c: Context): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString("base64url");
  setCookie(c, CSRF_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
  return token;
}

function tokenMatches(c: Context, submitted: unknown): boolean {
  const cookie = getCookie(c, CSRF_COOKIE);
  if (typeof submitted !== "string" || !cookie || submitted.length !== cookie.length) return false;
  return timingSafeEqual(Buffer.from(submitted), Buffer.from(cookie));
}

class PageError extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    readonly heading: string,
    message: string,
  ) {
    super(message);
  }
}

function queryFilters(c: Context): {
  filters: FilterValues;
  error?: string;
  parsed: {
    state?: ReturnType<typeof parseStateFilter>;
    from?: Date;
    to?: Date;
    orderId?: number;
    before?: number;
  };
} {
  const filters: FilterValues = {};
  const parsed: {
    state?: ReturnType<typeof parseStateFilter>;
    from?: Date;
    to?: Date;
    orderId?: number;
    before?: number;
  } = {};
  const value = (name: string) => {
    const text = c.req.query(name)?.trim();
    return text === undefined || text === "" ? undefined : text;
  };
  try {
    const state = value("estado");
    if (state !== undefined) parsed.state = filters.state = parseStateFilter("Estado", state);
    const from = value("desde");
    if (from !== undefined) {
      filters.from = from;
      parsed.from = parseDateOption("Desde", from);
    }
    const to = value("hasta");
    if (to !== undefined) {
      filters.to = to;
      parsed.to = parseEndDateOption("Hasta", to);
    }
    const order = value("pedido");
    if (order !== undefined) {
      filters.order = order;
      parsed.orderId = parseOrderId("Pedido", order);
    }
    const before = value("antes");
    if (before !== undefined) parsed.before = parsePositiveInteger("antes", before);
    return { filters, parsed };
  } catch (error) {
    if (error instanceof OptionError) return { filters, parsed: {}, error: error.message };
    throw error;
  }
}

export function createConsoleApp(getDeps: () => Promise<ConsoleDeps>): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  // The two static files need nothing of the environment: served before anything is read or checked.
  app.get(PATHS.htmx, (c) =>
    c.body(htmxScript(), 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=86400",
    }),
  );
  app.get(PATHS.css, (c) =>
    c.body(CONSOLE_CSS, 200, {
      "content-type": "text/css; charset=utf-8",
      "cache-control": "public, max-age=3600",
    }),
  );

  app.use("*", async (c, next) => {
    const deps = await getDeps();
    if (deps.allowedHosts && !deps.allowedHosts.includes(c.req.header("host") ?? ""))
      return c.text("Host no permitido: abra la consola en la dirección que imprime `npm start`.", 421);
    c.set("deps", deps);
    await next();
  });

  app.use(
    "*",
    csrf({
      origin: (origin, c) => {
        if (origin === new URL(c.req.url).origin) return true;
        const proxied = c.req.header(PROXY_ORIGIN_HEADER);
        return c.get("deps").trustProxyOrigin === true && proxied !== undefined && origin === proxied;
      },
    }),
  );

  // Every page: the store it is about (?tienda=, or the form's field) and its frame with this browser's token.
  app.use("*", async (c, next) => {
    const deps = c.get("deps");
    const form = c.req.method === "POST" ? await c.req.parseBody({ all: true }) : {};
    const requested = c.req.query("tienda") ?? (typeof form.tienda === "string" ? form.tienda : undefined);
    const storeId = requested === undefined ? deps.storeIds[0] : Number(requested);
    const first = deps.storeIds[0] ?? 0;
    const token = csrfToken(c);
    c.set("frame", (title, section) => frameModel(title, section, c.get("storeId"), deps.storeIds, token));
    if (storeId === undefined || !deps.storeIds.includes(storeId)) {
      c.set("storeId", first);
      throw new PageError(
        400,
        "Tienda desconocida",
        `La tienda ${requested ?? ""} no está configurada (config/stores.json).`,
      );
    }
    c.set("storeId", storeId);
    if (c.req.method === "POST" && !tokenMatches(c, form[CSRF_FIELD]))
      throw new PageError(
        403,
        "Solicitud rechazada",
        "El formulario no trae el código de seguridad de esta sesión (¿se abrió desde otro sitio, o caducó?). Vuelva a la lista y envíelo otra vez.",
      );
    await next();
  });

  app.use(
    "*",
    jsxRenderer(({ children }) => <>{children}</>, { docType: true }),
  );

  app.get(PATHS.orders, async (c) => {
    const deps = c.get("deps");
    const storeId = c.get("storeId");
    const frame = c.get("frame")("Pedidos", "orders");
    const { filters, parsed, error } = queryFilters(c);
    if (error) {
      c.status(400);
      return c.render(<OrdersPage model={ordersPageModel({ frame, filters, rows: [], error })} />);
    }
    const api = await deps.api(storeId);
    const reads = {
      listOrders: (params: Parameters<typeof api.listOrders>[0]) => api.listOrders(params),
      getOrder: (id: number) => api.getOrder(id),
      getRecord: (key: Parameters<typeof deps.records.get>[0]) => deps.records.get(key),
      notesOf: (key: Parameters<typeof deps.records.notesOf>[0]) => deps.records.notesOf(key),
    };
    if (parsed.orderId !== undefined) {
      const row = await orderRowById(storeId, parsed.orderId, reads);
      return c.render(<OrdersPage model={ordersPageModel({ frame, filters, rows: row ? [row] : [] })} />);
    }
    const page = await listOrderRows(
      {
        storeId,
        limit: PAGE_SIZE,
        ...(parsed.state ? { state: parsed.state } : {}),
        ...(parsed.from ? { createdFrom: parsed.from } : {}),
        ...(parsed.to ? { createdTo: parsed.to } : {}),
        ...(parsed.before ? { beforeOrderId: parsed.before } : {}),
      },
      reads,
    );
    return c.render(
      <OrdersPage
        model={ordersPageModel({
          frame,
          filters,
          rows: page.rows,
          scanned: page.scanned,
          ...(page.nextBeforeOrderId === undefined ? {} : { nextBeforeOrderId: page.nextBeforeOrderId }),
        })}
      />,
    );
  });

  app.get("/pedidos/:id", async (c) => {
    const deps = c.get("deps");
    const storeId = c.get("storeId");
    let orderId: number;
    try {
      orderId = parseOrderId("Pedido", c.req.param("id"));
    } catch (error) {
      if (error instanceof OptionError) throw new PageError(400, "Pedido no válido", error.message);
      throw error;
    }
    const api = await deps.api(storeId);
    const row = await orderRowById(storeId, orderId, {
      getOrder: (id) => api.getOrder(id),
      getRecord: (key) => deps.records.get(key),
      notesOf: (key) => deps.records.notesOf(key),
    });
    if (!row)
      throw new PageError(
        404,
        "Pedido no encontrado",
        `La tienda ${storeId} no tiene el pedido #${orderId}, ni en Acelérala ni en los registros.`,
      );
    const key = { storeId, orderId };
    const record = await deps.records.get(key);
    const frame = c.get("frame")(`Pedido #${orderId}`, "orders");
    if (record) {
      const notes = await deps.records.notesOf(key);
      return c.render(
        <OrderPage model={orderPageModel({ frame, row, status: statusView(record, notes) })} />,
      );
    }
    const summary = await deps.records.summary(key);
    const lastError = summary?.lastError === undefined ? {} : { lastError: safeText(summary.lastError) };
    return c.render(<OrderPage model={orderPageModel({ frame, row, ...lastError })} />);
  });

  app.post(PATHS.send, async (c) => {
    const deps = c.get("deps");
    const storeId = c.get("storeId");
    const frame = c.get("frame")("Envío de documentos", "orders");
    const form = await c.req.parseBody({ all: true });
    const selected = ([] as unknown[])
      .concat(form.order ?? [])
      .filter((value): value is string => typeof value === "string");
    let orderIds: number[];
    try {
      orderIds = selected.map((value) => parseOrderId("Pedido", value));
    } catch (error) {
      if (error instanceof OptionError) throw new PageError(400, "Selección no válida", error.message);
      throw error;
    }
    const refusal =
      orderIds.length === 0
        ? "Seleccione al menos un pedido (la casilla de cada fila) y vuelva a enviar."
        : orderIds.length > MAX_ORDERS_PER_SEND
          ? `Seleccione como máximo ${MAX_ORDERS_PER_SEND} pedidos por envío.`
          : undefined;
    if (refusal) {
      c.status(400);
      return c.render(<SendPage model={sendPageModel({ frame, results: [], error: refusal })} />);
    }
    const api = await deps.api(storeId);
    const results = await resendOrders(
      storeId,
      orderIds,
      {
        getRecord: (key) => deps.records.get(key),
        getOrder: (id) => api.getOrder(id),
        markForReissue: (key, why, now) => deps.records.markForReissue(key, why, now),
        enqueue: deps.enqueue,
        now: deps.now,
      },
      { explain: explainResendError },
    );
    return c.render(<SendPage model={sendPageModel({ frame, results })} />);
  });

  app.get(PATHS.dlq, async (c) => {
    const deps = c.get("deps");
    const frame = c.get("frame")("Cola de errores", "dlq");
    const peek = await deps.dlq.peek(50);
    const joined = await joinReceiptRecords(peek.entries, (key) => deps.records.summary(key));
    return c.render(<DlqPage model={dlqPageModel({ frame, entries: joined.entries, depth: peek.depth })} />);
  });

  app.post(PATHS.dlqReplay, async (c) => {
    const deps = c.get("deps");
    const frame = c.get("frame")("Cola de errores", "dlq");
    const form = await c.req.parseBody();
    const dryRun = form.dry_run !== "0";
    let max: number | undefined;
    try {
      max =
        typeof form.max === "string" && form.max !== "" ? parsePositiveInteger("max", form.max) : undefined;
    } catch (error) {
      if (error instanceof OptionError) throw new PageError(400, "Reenvío no válido", error.message);
      throw error;
    }
    // A real replay only follows a dry run, and moves at most what the dry run showed.
    if (!dryRun && max === undefined)
      throw new PageError(
        400,
        "Reenvío no válido",
        "Primero simule el reenvío: el reenvío mueve como máximo lo que mostró la simulación.",
      );
    const result = await deps.dlq.replay({ dryRun, ...(max === undefined ? {} : { max }) });
    const joined = await joinReceiptRecords(
      result.outcomes.map((outcome) => outcome.entry),
      (key) => deps.records.summary(key),
    );
    const outcomes = result.outcomes.map((outcome, index) => ({
      ...outcome,
      entry: joined.entries[index] ?? outcome.entry,
    }));
    return c.render(<DlqPage model={replayPageModel({ frame, dryRun, result: { ...result, outcomes } })} />);
  });

  app.notFound((c) => c.text("No existe esta página de la consola.", 404));

  app.onError(async (error, c) => {
    if (error instanceof HTTPException && error.status === 403)
      return c.text(
        "Solicitud rechazada: viene de otro sitio (comprobación de origen). Abra la consola y use sus formularios.",
        403,
      );
    const known = error instanceof PageError;
    if (!known) c.get("deps")?.logError?.("console request failed", error);
    const heading = known ? error.heading : "Error";
    const text = known
      ? error.message
      : `No se pudo completar la solicitud: ${safeText(`${error.name}: ${error.message}`)}. Vuelva a intentarlo; si sigue, revise los registros de la función.`;
    const frameOf = c.get("frame");
    const status = known ? error.status : 500;
    if (!frameOf) return c.text(`${heading}: ${text}`, status);
    return c.html(
      `<!DOCTYPE html>${await (<MessagePage frame={frameOf(heading, "orders")} heading={heading} text={text} backHref={`${PATHS.orders}?tienda=${c.get("storeId") ?? ""}`} />).toString()}`,
      status,
    );
  });

  return app;
}
