/** Backgrounds of the probe matrix's cells: its own shades, so a screenshot test can find them. */
export const MATRIX_COLOURS = { pass: '#c9f2d3', fail: '#ffd8d3', none: '#ffffff' } as const;

export const CSS = `
:root { color-scheme: light; --ok: #1a7f37; --ok-bg: #dafbe1; --chg: #9a6700; --chg-bg: #fff8c5; --bad: #cf222e; --bad-bg: #ffebe9;
  --unr: #6e40c9; --unr-bg: #f0e8ff; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", "Liberation Sans", sans-serif; color: #1f2328; background: #fff; }
header { padding: 16px 24px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 0 0 4px; font-size: 18px; display: flex; align-items: center; gap: 8px; }
h3 { margin: 12px 0 6px; font-size: 14px; }
.count { font-weight: normal; color: var(--muted); }
.meta, .facts { margin: 0 0 8px; color: var(--muted); }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
.badges { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 6px; padding: 0; list-style: none; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 13px; font-weight: 600; border: 1px solid transparent; }
.badge.ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
.badge.changed { color: var(--chg); background: var(--chg-bg); border-color: var(--chg); }
.badge.failed { color: var(--bad); background: var(--bad-bg); border-color: var(--bad); }
.badge.unreachable { color: var(--unr); background: var(--unr-bg); border-color: var(--unr); }
.badge.zero { color: var(--muted); background: #fff; border-color: var(--line); font-weight: normal; }
.badge.info { color: #0969da; background: #ddf4ff; border-color: #0969da; }
nav { color: var(--muted); }
nav a { color: #0969da; margin-right: 10px; }
main { padding: 16px 24px 24px; }
.hosts { display: flex; flex-direction: column; gap: 16px; }
.cols { display: grid; grid-template-columns: minmax(260px, 1fr) auto; gap: 0 28px; align-items: start; }
.cols > * { min-width: 0; }
@media (max-width: 1000px) { .cols { grid-template-columns: minmax(0, 1fr); } }
.host { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px; padding: 12px 16px; min-width: 0; }
.host.st-ok { border-left-color: var(--ok); }
.host.st-changed { border-left-color: var(--chg); }
.host.st-failed { border-left-color: var(--bad); }
.host.st-unreachable { border-left-color: var(--unr); }
.error { background: var(--bad-bg); border: 1px solid var(--bad); border-radius: 6px; padding: 6px 10px; margin-bottom: 4px; color: var(--bad); }
.error pre { margin: 2px 0 0; white-space: pre-wrap; word-break: break-word; color: #1f2328; }
ul.warnings, ul.causes { margin: 0; padding-left: 0; list-style: none; }
ul.warnings li { background: var(--chg-bg); border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin-bottom: 6px; }
.fix { margin-top: 4px; }
.fix code { display: inline-block; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 1px 6px; white-space: pre-wrap; word-break: break-all; }
ul.causes { max-width: 720px; }
ul.causes li { margin: 4px 0; word-break: break-word; }
.mark { font-weight: 700; }
.mark.bad { color: var(--bad); }
.mark.warn { color: var(--chg); }
ul.objects { display: flex; flex-wrap: wrap; gap: 4px; margin: 0; padding: 0; list-style: none; }
ul.objects li { padding: 1px 8px; border-radius: 4px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
ul.objects li.pass { background: var(--ok-bg); color: var(--ok); }
ul.objects li.fail { background: var(--bad-bg); color: var(--bad); font-weight: 700; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--panel); }
th small { display: block; font-weight: normal; color: var(--muted); font-size: 11px; }
table.mismatches td { word-break: break-word; }
table.mismatches td.actual { color: var(--bad); }
table.matrix th { font-size: 12.5px; padding: 3px 7px; }
table.matrix td { white-space: nowrap; font-size: 12px; text-align: center; padding: 3px 7px; }
table.matrix td.pass { background: ${MATRIX_COLOURS.pass}; color: var(--ok); }
table.matrix td.fail { background: ${MATRIX_COLOURS.fail}; color: var(--bad); font-weight: 600; white-space: normal; max-width: 130px; outline: 2px solid var(--bad); outline-offset: -2px; }
table.matrix td.none { color: #afb8c1; background: ${MATRIX_COLOURS.none}; }
table.matrix th.col-gateway { background: #eef6ff; }
table.matrix th.col-upstream { background: #fbefff; }
table.matrix th.corner { color: var(--muted); font-weight: normal; font-size: 12px; }
#topology { margin-top: 20px; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
#topology .picture { overflow: auto; }
#topology .picture svg { max-width: 100%; height: auto; }
footer { padding: 8px 24px 16px; color: var(--muted); font-size: 12px; }
`;
