import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The console's two static files, served by the console itself (the machine it runs on may have no internet,
 * and a CDN would see every operator's visits): htmx from the pinned npm package, and the stylesheet.
 *
 * On Lambda the bundle sits in /var/task with htmx copied beside it (`static/htmx.min.js`, see the stack's
 * `copyConsoleAssets`); from the sources it is resolved in node_modules.
 */

export const HTMX_FILE = "htmx.min.js";
const HTMX_MODULE = `htmx.org/dist/${HTMX_FILE}`;

let htmx: string | undefined;

export function htmxScript(): string {
  if (htmx === undefined) {
    const beside = join(dirname(fileURLToPath(import.meta.url)), "static", HTMX_FILE);
    try {
      htmx = readFileSync(beside, "utf8");
    } catch {
      htmx = readFileSync(createRequire(import.meta.url).resolve(HTMX_MODULE), "utf8");
    }
  }
  return htmx;
}

/** Small, no framework: readable tables, state badges in the plugin's spirit, and a visible focus. */
export const CONSOLE_CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2327; background: #f0f0f1; }
body { margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #1d2327; color: #fff; }
header a { color: #c3c4c7; text-decoration: none; margin-right: 1rem; }
header a[aria-current="page"] { color: #fff; font-weight: 600; }
header .tienda { margin-left: auto; }
main { padding: 1rem 1.2rem; }
h1 { font-size: 1.4rem; margin: .3rem 0 .8rem; }
h2 { font-size: 1.1rem; margin-top: 1.4rem; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; }
th, td { padding: .45rem .5rem; border-bottom: 1px solid #e0e0e0; text-align: left; vertical-align: top; }
th { background: #f6f7f7; font-weight: 600; }
td.numero, th.numero { text-align: right; white-space: nowrap; }
table.pedidos td:nth-child(3) { white-space: nowrap; }
.cliente { color: #50575e; }
.nota { font-size: .85rem; color: #50575e; margin-top: .2rem; }
.enlaces a { margin-right: .4rem; }
.filtros, .acciones, .envio { display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; margin-bottom: .8rem; }
.envio { display: block; }
.acciones { margin-bottom: .6rem; }
button { background: #2271b1; color: #fff; border: 0; border-radius: 3px; padding: .45rem .9rem; cursor: pointer; }
button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid #2271b1; outline-offset: 2px; }
.estado { display: inline-block; padding: .1rem .45rem; border-radius: 3px; font-size: .8rem; font-weight: 600; background: #dcdcde; }
.estado-accepted { background: #d1e7dd; color: #0f5132; }
.estado-submitted { background: #cfe2ff; color: #084298; }
.estado-rejected, .estado-stale { background: #f8d7da; color: #842029; }
.estado-needs_attention, .estado-reserved { background: #fff3cd; color: #664d03; }
.resultado { font-weight: 600; }
.resultado-enqueued { color: #0f5132; }
.resultado-refused, .resultado-failed { color: #842029; }
.aviso { background: #fff3cd; border-left: 4px solid #dba617; padding: .5rem .8rem; }
.campos { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; background: #fff; padding: .8rem; }
.campos dt { font-weight: 600; }
.campos dd { margin: 0; }
.nota-credito { background: #fff; padding: .2rem .8rem .8rem; margin-bottom: .8rem; }
.subtitulo { color: #50575e; margin-top: -.5rem; }
.error { font-family: ui-monospace, monospace; font-size: .8rem; }
.oculto { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.vacio { padding: 1rem; background: #fff; }
`;
