/** The status page's stylesheet, inlined in a <style> element (the CSP allows inline styles). */
export const STATUS_PAGE_CSS = `
:root{--ink:#1d2430;--muted:#5d6878;--line:#e3e7ed;--bg:#f6f7f9;--card:#fff;--accent:#1f5fa8;
--open:#1f5fa8;--open-bg:#e7f0fb;--prog:#8a5a00;--prog-bg:#fdf1d8;--done:#1d7a46;--done-bg:#e3f4ea;
--cancel:#6b7280;--cancel-bg:#eef0f3;--late:#b42318;--late-bg:#fdecea}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
.wrap{max-width:1040px;margin:0 auto;padding:0 20px}
.narrow{max-width:560px;padding-top:48px}
header{background:linear-gradient(135deg,#163f6e,#1f5fa8);color:#fff;padding:28px 0 24px;margin-bottom:24px}
header h1{margin:4px 0 6px;font-size:26px;line-height:1.25;font-weight:650}
header a{color:#fff}
.kicker{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:12px;opacity:.85}
.meta,.asof{margin:0;opacity:.92}
.asof{font-size:13px;opacity:.8;margin-top:6px}
.summary{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:10px;margin-bottom:18px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 12px;display:flex;flex-direction:column}
.stat .n{font-size:22px;font-weight:650}
.stat .l{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.stat.overdue .n{color:var(--late)}.stat.done .n{color:var(--done)}.stat.in_progress .n{color:var(--prog)}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;margin-bottom:10px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:4px;flex:1 1 150px;min-width:0;max-width:320px}
.filters select{font:inherit;font-size:14px;padding:6px 8px;border:1px solid #c9d0da;border-radius:6px;background:#fff;color:var(--ink);width:100%;min-width:0;text-overflow:ellipsis}
.filters button{font:inherit;font-weight:600;padding:7px 16px;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
.filters .reset{font-size:13px;color:var(--accent);align-self:center}
.count{color:var(--muted);font-size:13px;margin:6px 2px 10px}
.list{display:flex;flex-direction:column;gap:12px;margin-bottom:28px}
.item{overflow-wrap:anywhere;background:var(--card);border:1px solid var(--line);border-left:5px solid var(--open);border-radius:10px;padding:14px 18px}
.item.status-in_progress{border-left-color:#d89b1c}.item.status-done{border-left-color:var(--done)}
.item.status-cancelled{border-left-color:var(--cancel);opacity:.75}.item.status-cancelled h2{text-decoration:line-through}
.item.overdue{border-left-color:var(--late);background:linear-gradient(90deg,var(--late-bg),#fff 45%)}
.head{display:flex;justify-content:space-between;gap:12px;align-items:flex-start}
.item h2{font-size:17px;margin:0;line-height:1.35;font-weight:620}
.badges{display:flex;gap:6px;flex-shrink:0}
.badge{font-size:12px;font-weight:600;padding:2px 9px;border-radius:999px;white-space:nowrap}
.badge.open{color:var(--open);background:var(--open-bg)}.badge.in_progress{color:var(--prog);background:var(--prog-bg)}
.badge.done{color:var(--done);background:var(--done-bg)}.badge.cancelled{color:var(--cancel);background:var(--cancel-bg)}
.badge.overdue-badge{color:#fff;background:var(--late)}
.source{margin:6px 0 10px;color:var(--muted);font-size:13.5px;font-style:italic;max-width:85ch}
dl{display:grid;grid-template-columns:1.3fr 1.3fr 1fr 1.4fr;gap:10px 18px;margin:8px 0 0}
dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin-bottom:2px}
dd{margin:0}
.rel{font-size:13px;color:var(--muted)}.rel.late{color:var(--late);font-weight:600}
.bar{height:7px;background:#e8ebf0;border-radius:99px;overflow:hidden;margin:5px 0 4px;max-width:180px}
.bar span{display:block;height:100%;background:var(--done);border-radius:99px}
.tag.late{color:var(--late);font-weight:600}
.small{font-size:13px}.muted{color:var(--muted)}
.evidence{max-width:40ch}
.empty{background:var(--card);border:1px dashed var(--line);border-radius:10px;padding:24px;text-align:center;color:var(--muted)}
footer{padding-bottom:32px}
a{color:var(--accent)}
.pager{display:flex;flex-wrap:wrap;gap:10px;align-items:center;justify-content:space-between;margin:-12px 0 28px;font-size:14px}
.pager .pages{color:var(--muted)}
.pager a,.pager .off{padding:6px 12px;border:1px solid var(--line);border-radius:6px;background:var(--card);text-decoration:none}
.pager .off{color:#a3abb7}
.timeline{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px 8px;margin-bottom:18px}
.timeline h2{font-size:14px;margin:0 0 6px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
.timeline .scroll{overflow-x:auto;direction:rtl}
.timeline .scroll>svg{display:block;min-width:820px;width:100%;height:auto;direction:ltr}
.timeline .note{margin:4px 0 0}
.tl-legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;margin:0 0 6px;padding:0;font-size:12.5px;color:var(--muted)}
.tl-legend li,.tl-undated h3{display:flex;align-items:center;gap:6px}
.tl-undated h3{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600;margin:8px 0 4px}
.tl-undated ul{margin:0;padding-left:22px;columns:2 280px;column-gap:24px;font-size:13.5px}
.tl-undated li{break-inside:avoid;margin-bottom:2px}
.narrow-head,.narrow-main{max-width:680px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin-bottom:28px;overflow-wrap:anywhere}
.panel p:first-child{margin-top:0}
.panel textarea{width:100%;font:inherit;padding:8px;border:1px solid #c9d0da;border-radius:6px}
.panel button{font:inherit;font-weight:600;padding:8px 18px;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
.field-errors{padding-left:20px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em}
@media (max-width:760px){.summary{grid-template-columns:repeat(3,minmax(0,1fr))}.stat{padding:8px 10px}.stat .l{font-size:10.5px;letter-spacing:.02em}dl{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}.head{flex-direction:column}.filters label{max-width:none}}
`;
