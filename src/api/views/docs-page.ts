/**
 * /docs: the OpenAPI document rendered on the server as plain HTML. No CDN
 * and no script (the CSP forbids inline scripts, and offline sites have no
 * CDN), so it reads the same everywhere; /openapi.json feeds richer tools.
 */
import type { OpenApiDocument } from '../openapi.js';
// Through the shell, like every page: the status page's stylesheet and icon (its header band is the reference's own, wider).
import { STATUS_PAGE_CSS, html, page, raw, type SafeHtml } from './shell.js';

type Op = { summary?: string; description?: string; tags?: string[]; parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>; requestBody?: { content?: Record<string, { schema?: unknown }> }; responses?: Record<string, { description?: string }> };

/** The status page's stylesheet, plus what only the reference needs. */
const CSS = `${STATUS_PAGE_CSS}
.docs{padding-bottom:40px}header nav a{margin-right:12px}header h1 small{font-size:14px;opacity:.8}
main h2{margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
details{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:8px 0;padding:0 14px;overflow-wrap:anywhere}summary{cursor:pointer;padding:10px 0;display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline}
.m{font:600 12px ui-monospace,monospace;text-transform:uppercase;padding:2px 8px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.get{background:#1f5fa8}.post{background:#1d7a46}.patch{background:#8a5a00}.put{background:#6b4fa8}.delete{background:#b42318}
code,.p{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13.5px}.s{color:var(--muted)}
pre{background:#f3f5f8;border-radius:6px;padding:10px;overflow:auto;font-size:12.5px;max-height:360px}
table{border-collapse:collapse;margin:6px 0 10px;display:block;overflow-x:auto}td,th{border-bottom:1px solid #eef0f3;padding:4px 10px 4px 0;text-align:left;font-size:13.5px;vertical-align:top}`;

function schemaText(schema: unknown): string {
  return JSON.stringify(schema, null, 2);
}

function operation(path: string, method: string, op: Op): SafeHtml {
  const params = op.parameters ?? [];
  const bodyTypes = Object.entries(op.requestBody?.content ?? {});
  return html`<details id="${`${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-')}">
<summary><span class="m ${method}">${method}</span><span class="p">${path}</span><span class="s">${op.summary ?? ''}</span></summary>
${op.description ? op.description.split('\n\n').map((p) => html`<p>${p}</p>`) : ''}
${params.length ? html`<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th></tr>${params.map((p) => html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${JSON.stringify(p.schema ?? {})}</code></td></tr>`)}</table>` : ''}
${bodyTypes.map(([type, media]) => html`<p>Request body (<code>${type}</code>):</p><pre>${schemaText(media.schema)}</pre>`)}
<table><tr><th>Status</th><th>Meaning</th></tr>${Object.entries(op.responses ?? {}).map(([status, r]) => html`<tr><td><code>${status}</code></td><td>${r.description ?? ''}</td></tr>`)}</table>
</details>`;
}

/** Render the document: operations grouped by tag, then the component schemas. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, SafeHtml[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = (item as Record<string, Op | undefined>)[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(operation(path, method, op));
    }
  }
  const tags = (doc.tags ?? []).map((t) => t.name).filter((t) => byTag.has(t));
  const schemas = Object.entries(doc.components?.schemas ?? {});
  const body = html`<header><div class="wrap"><h1>${doc.info.title} <small>${doc.info.version}</small></h1>
<p>${doc.info.description ?? ''}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}). Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<nav>${tags.map((t) => html`<a href="#${t.replace(/\W+/g, '-')}">${t}</a>`)}<a href="#schemas">Schemas</a></nav></div></header>
<main class="wrap docs">${tags.map((t) => html`<h2 id="${t.replace(/\W+/g, '-')}">${t}</h2>${byTag.get(t)!}`)}
<h2 id="schemas">Schemas</h2>${schemas.map(([name, s]) => html`<details id="schema-${name}"><summary><span class="p">${name}</span></summary><pre>${schemaText(s)}</pre></details>`)}</main>`;
  return page({ title: `${doc.info.title} · docs`, style: CSS, body: raw(body.value) });
}
