/**
 * The console's page and style sheet. The script is src/console/ui/app.ts, built with the rest of
 * the package; nothing is loaded from elsewhere (no CDN, no web font).
 */

export function indexHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>nself-hooks console</title>
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <strong class="brand">nself-hooks console</strong>
  <nav aria-label="Pages">
    <a href="#/" data-nav="overview">Overview</a>
    <a href="#/events" data-nav="events">Events</a>
    <a href="#/send" data-nav="send">Send</a>
  </nav>
  <span id="endpoint" class="muted"></span>
  <span id="live" class="muted" aria-live="polite"></span>
</header>
<main id="main" tabindex="-1"><p class="muted">Loading…</p></main>
<footer class="muted">Keys: <kbd>g</kbd> then <kbd>o</kbd>/<kbd>e</kbd>/<kbd>s</kbd> pages · <kbd>j</kbd>/<kbd>k</kbd> move in a list · <kbd>Enter</kbd> open · <kbd>r</kbd> refresh · <kbd>Esc</kbd> back</footer>
</body>
</html>
`
}

export const APP_CSS = `:root {
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --accent: #0757c8; --ok: #116329; --bad: #b3261e; --wait: #7d4e00; --focus: #0969da;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 15px;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22;
    --accent: #6cb6ff; --ok: #56d364; --bad: #ff7b72; --wait: #e3b341; --focus: #79c0ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.45; }
header { display: flex; gap: 1.2rem; align-items: center; flex-wrap: wrap; padding: .7rem 1.2rem;
  border-bottom: 1px solid var(--line); background: var(--panel); }
header nav { display: flex; gap: .9rem; }
header nav a[aria-current="page"] { font-weight: 700; text-decoration: underline; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
footer { padding: .6rem 1.2rem; border-top: 1px solid var(--line); font-size: .85rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible, textarea:focus-visible,
tr:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
main:focus { outline: none; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: .5rem; top: .5rem; background: var(--bg); padding: .3rem; }
.muted { color: var(--muted); }
h1 { font-size: 1.3rem; margin: .2rem 0 .8rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.selected { background: var(--panel); }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }
pre { background: var(--panel); border: 1px solid var(--line); padding: .6rem; overflow: auto; max-height: 24rem;
  white-space: pre-wrap; word-break: break-word; }
.status-delivered, .drift-in-sync { color: var(--ok); font-weight: 600; }
.status-failed, .drift-update, .drift-create, .drift-delete { color: var(--bad); font-weight: 600; }
.status-pending, .drift-unknown { color: var(--wait); font-weight: 600; }
form.filters, .actions { display: flex; gap: .8rem; flex-wrap: wrap; align-items: end; margin-bottom: .8rem; }
label { display: flex; flex-direction: column; font-size: .85rem; gap: .2rem; }
label.inline { flex-direction: row; align-items: center; gap: .3rem; }
input, select, textarea, button { font: inherit; color: var(--fg); background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; padding: .3rem .5rem; }
textarea { width: 100%; min-height: 7rem; font-family: ui-monospace, Menlo, Consolas, monospace; }
button { cursor: pointer; background: var(--panel); }
button.primary { background: var(--accent); color: var(--bg); border-color: var(--accent); }
button:disabled { opacity: .55; cursor: default; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; margin-bottom: .9rem; }
.grid { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
.error { color: var(--bad); border: 1px solid var(--bad); border-radius: 6px; padding: .5rem .7rem; margin: .6rem 0; }
progress { width: 18rem; }
kbd { border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; font-size: .8rem; }
`
