/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { Field } from "../ops/receipt-view";
import {
  type DlqPageModel,
  type FrameModel,
  type HistoryRowModel,
  type LinkModel,
  type OrderPageModel,
  type OrdersPageModel,
  PATHS,
  type SendPageModel,
} from "./models";

/**
 * The console's templates: they place the values models.ts prepared (labels, hrefs, classes) and make no
 * decision of their own. Plain HTML forms and links, so every page works without JavaScript; htmx (served by
 * the console itself, never from a CDN) only boosts links and forms into in-place swaps.
 */

/**
 * htmx swaps only 2xx answers by default; the console's 4xx/5xx pages say what went wrong (a bad date, a refused
 * form), so boosted requests show them too, as the plain page would.
 */
const HTMX_CONFIG = JSON.stringify({
  responseHandling: [
    { code: "204", swap: false },
    { code: "...", swap: true },
  ],
});

export function Frame(props: { frame: FrameModel; children?: Child }) {
  const { frame } = props;
  return (
    <html lang="es">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{frame.title} · Comprobantes SUNAT</title>
        <link rel="stylesheet" href={PATHS.css} />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <script src={PATHS.htmx} defer />
      </head>
      <body hx-boost="true">
        <header>
          <strong>Comprobantes SUNAT</strong>
          <nav>
            <a
              href={`${PATHS.orders}?tienda=${frame.storeId}`}
              aria-current={frame.section === "orders" ? "page" : undefined}
            >
              Pedidos
            </a>
            <a
              href={`${PATHS.dlq}?tienda=${frame.storeId}`}
              aria-current={frame.section === "dlq" ? "page" : undefined}
            >
              Cola de errores (DLQ)
            </a>
          </nav>
          <form method="get" action={PATHS.orders} class="tienda">
            <label>
              Tienda{" "}
              <select name="tienda">
                {frame.stores.map((store) => (
                  <option value={String(store.storeId)} selected={store.selected}>
                    {store.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">Ver</button>
          </form>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

function Links(props: { links: LinkModel[]; empty?: string }) {
  return (
    <span class="enlaces">
      {props.links.length === 0 ? (props.empty ?? "-") : null}
      {props.links.map((link) => (
        <a href={link.href} target="_blank" rel="noopener noreferrer">
          {link.label}
        </a>
      ))}
    </span>
  );
}

function Fields(props: { fields: Field[] }) {
  return (
    <dl class="campos">
      {props.fields.map((field) => (
        <>
          <dt>{field.label}</dt>
          <dd>{field.value}</dd>
        </>
      ))}
    </dl>
  );
}

function History(props: { rows: HistoryRowModel[] }) {
  return (
    <table class="historial">
      <thead>
        <tr>
          <th>Cuándo</th>
          <th>De</th>
          <th>A</th>
          <th>Por qué</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            <td>{row.at}</td>
            <td>{row.from}</td>
            <td>{row.to}</td>
            <td>{row.why}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ErrorBox(props: { text?: string }) {
  return props.text ? (
    <p class="aviso" role="alert">
      {props.text}
    </p>
  ) : null;
}

export function OrdersPage(props: { model: OrdersPageModel }) {
  const { model } = props;
  return (
    <Frame frame={model.frame}>
      <h1>Pedidos</h1>
      <form method="get" action={PATHS.orders} class="filtros">
        <input type="hidden" name="tienda" value={String(model.frame.storeId)} />
        <label>
          Estado en API/SUNAT{" "}
          <select name="estado">
            {model.filters.states.map((option) => (
              <option value={option.value} selected={option.selected}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Desde <input type="date" name="desde" value={model.filters.from} />
        </label>
        <label>
          Hasta <input type="date" name="hasta" value={model.filters.to} />
        </label>
        <label>
          Pedido{" "}
          <input
            type="search"
            name="pedido"
            value={model.filters.order}
            placeholder="32204"
            inputmode="numeric"
          />
        </label>
        <button type="submit">Filtrar</button>
      </form>
      <ErrorBox text={model.error} />
      <form method="post" action={PATHS.send} class="envio">
        <input type="hidden" name="csrf" value={model.frame.csrfToken} />
        <input type="hidden" name="tienda" value={String(model.frame.storeId)} />
        <div class="acciones">
          <button type="submit">{model.sendLabel}</button>
          <span>{model.caption}</span>
        </div>
        <table class="pedidos">
          <thead>
            <tr>
              <th>
                <span class="oculto">Seleccionar</span>
              </th>
              <th>Pedido</th>
              <th>Fecha</th>
              <th>Estado</th>
              <th>Tipo de documento</th>
              <th>Estado en API/SUNAT</th>
              <th>Ciudad del envío</th>
              <th class="numero">Total</th>
              <th>Enlaces</th>
            </tr>
          </thead>
          <tbody>
            {model.rows.map((row) => (
              <tr data-order={row.value}>
                <td>
                  <input type="checkbox" name="order" value={row.value} aria-label={row.checkboxLabel} />
                </td>
                <td>
                  <a href={row.href}>{row.number}</a> <span class="cliente">{row.customer}</span>
                </td>
                <td>{row.date}</td>
                <td>{row.orderStatus}</td>
                <td>
                  {row.document}
                  {row.notes.map((note) => (
                    <div class="nota">
                      └ {note.label} <span class={note.stateClass}>{note.stateLabel}</span> {note.total}{" "}
                      <Links links={note.links} />
                    </div>
                  ))}
                </td>
                <td class="api-sunat">
                  <span class={row.stateClass}>{row.stateLabel}</span>
                </td>
                <td>{row.city}</td>
                <td class="numero">{row.total}</td>
                <td class="enlaces-celda">
                  <Links links={row.links} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {model.rows.length === 0 ? <p class="vacio">{model.emptyText}</p> : null}
      </form>
      {model.nextPage ? (
        <p class="paginas">
          <a href={model.nextPage.href}>{model.nextPage.label}</a>
        </p>
      ) : null}
    </Frame>
  );
}

export function OrderPage(props: { model: OrderPageModel }) {
  const { model } = props;
  return (
    <Frame frame={model.frame}>
      <p>
        <a href={model.backHref}>← Pedidos</a>
      </p>
      <h1>
        {model.heading} <span class={model.stateClass}>{model.stateLabel}</span>
      </h1>
      <p class="subtitulo">{model.subheading}</p>
      <section>
        <h2>Comprobante</h2>
        <Fields fields={model.fields} />
        <p>
          <Links links={model.links} empty={model.noLinksText} />
        </p>
        {model.numberGroups.map((group) => (
          <>
            <h3>{group.title}</h3>
            <ul>
              {group.lines.map((line) => (
                <li>{line}</li>
              ))}
            </ul>
          </>
        ))}
      </section>
      {model.send ? (
        <form method="post" action={PATHS.send} class="envio">
          <input type="hidden" name="csrf" value={model.frame.csrfToken} />
          <input type="hidden" name="tienda" value={String(model.frame.storeId)} />
          <input type="hidden" name="order" value={model.send.orderId} />
          <button type="submit">{model.send.label}</button> <span>{model.send.hint}</span>
        </form>
      ) : null}
      {model.problems.length > 0 ? (
        <section>
          <h2>Problemas por corregir</h2>
          <ul class="problemas">
            {model.problems.map((problem) => (
              <li>{problem}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <section>
        <h2>Notas de crédito</h2>
        {model.notes.length === 0 ? <p>{model.notesEmptyText}</p> : null}
        {model.notes.map((note) => (
          <article class="nota-credito">
            <h3>
              {note.title} <span class={note.stateClass}>{note.stateLabel}</span>
            </h3>
            <Fields fields={note.fields} />
            <p>
              <Links links={note.links} />
            </p>
            {note.problems.length > 0 ? (
              <ul class="problemas">
                {note.problems.map((problem) => (
                  <li>{problem}</li>
                ))}
              </ul>
            ) : null}
          </article>
        ))}
      </section>
      <section>
        <h2>Historial</h2>
        <History rows={model.history} />
      </section>
    </Frame>
  );
}

export function SendPage(props: { model: SendPageModel }) {
  const { model } = props;
  return (
    <Frame frame={model.frame}>
      <h1>Envío de documentos al API</h1>
      <ErrorBox text={model.error} />
      <p>{model.summary}</p>
      <table class="resultados">
        <thead>
          <tr>
            <th>Pedido</th>
            <th>Resultado</th>
            <th>Detalle</th>
          </tr>
        </thead>
        <tbody>
          {model.rows.map((row) => (
            <tr>
              <td>
                <a href={row.href}>{row.number}</a>
              </td>
              <td>
                <span class={row.outcomeClass}>{row.outcome}</span>
              </td>
              <td>{row.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href={model.backHref}>← Volver a los pedidos</a>
      </p>
    </Frame>
  );
}

export function DlqPage(props: { model: DlqPageModel }) {
  const { model } = props;
  return (
    <Frame frame={model.frame}>
      <h1>Cola de errores (DLQ)</h1>
      <p>{model.intro}</p>
      {model.outcome ? (
        <section>
          <h2>{model.outcome.title}</h2>
          <ul>
            {model.outcome.lines.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <p class="resumen">{model.depth}</p>
      {model.rows.length === 0 ? <p class="vacio">{model.emptyText}</p> : null}
      {model.rows.length > 0 ? (
        <table class="dlq">
          <thead>
            <tr>
              <th>Pedido</th>
              <th>Tienda</th>
              <th>Evento</th>
              <th class="numero">Recepciones</th>
              <th>Enviado</th>
              <th>Comprobante</th>
              <th>Último error</th>
            </tr>
          </thead>
          <tbody>
            {model.rows.map((row) => (
              <tr>
                <td>{row.orderHref ? <a href={row.orderHref}>#{row.orderId}</a> : (row.orderId ?? "?")}</td>
                <td>{row.storeId}</td>
                <td>{row.eventType}</td>
                <td class="numero">{row.receiveCount}</td>
                <td>{row.sentAt}</td>
                <td>{row.receipt}</td>
                <td class="error">{row.lastError}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {model.action ? (
        <form method="post" action={PATHS.dlqReplay} class="envio">
          <input type="hidden" name="csrf" value={model.frame.csrfToken} />
          <input type="hidden" name="tienda" value={String(model.frame.storeId)} />
          <input type="hidden" name="dry_run" value={model.action.dryRun ? "1" : "0"} />
          {model.action.max ? <input type="hidden" name="max" value={model.action.max} /> : null}
          <button type="submit">{model.action.label}</button> <span>{model.action.hint}</span>
        </form>
      ) : null}
    </Frame>
  );
}

export function MessagePage(props: { frame: FrameModel; heading: string; text: string; backHref: string }) {
  return (
    <Frame frame={props.frame}>
      <h1>{props.heading}</h1>
      <p class="aviso" role="alert">
        {props.text}
      </p>
      <p>
        <a href={props.backHref}>← Pedidos</a>
      </p>
    </Frame>
  );
}
