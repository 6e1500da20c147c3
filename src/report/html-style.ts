/** Backgrounds of the probe matrix's cells: its own shades, so a screenshot test can find them. */
export const MATRIX_COLOURS = { pass: '#c9f2d3', fail: '#ffd8d3', none: '#ffffff' } as const;

/** The overview cells' colours, one a status: solid, so a screenshot test can count them. */
export const CELL_COLOURS = { failed: '#e5534b', unreachable: '#8250df', changed: '#bf8700', ok: '#2da44e' } as const;

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
nav.jumps { color: var(--muted); }
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
[hidden], .nomatch { display: none !important; }
body.hide-failed .st-failed, body.hide-unreachable .st-unreachable, body.hide-changed .st-changed, body.hide-ok .st-ok { display: none !important; }
.summary { margin: 6px 0; font-size: 15px; }
.sum { font-weight: 600; white-space: nowrap; }
.sum.failed { color: var(--bad); } .sum.unreachable { color: var(--unr); } .sum.changed { color: var(--chg); } .sum.ok { color: var(--ok); }
.sum.zero { color: var(--muted); font-weight: normal; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; margin: 8px 0; }
.controls fieldset { display: flex; flex-wrap: wrap; gap: 6px; border: 0; margin: 0; padding: 0; }
.controls legend { float: left; margin-right: 4px; color: var(--muted); }
.chip { display: inline-flex; align-items: center; gap: 4px; padding: 2px 10px 2px 6px; border-radius: 999px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
.chip.failed { color: var(--bad); border-color: var(--bad); } .chip.unreachable { color: var(--unr); border-color: var(--unr); }
.chip.changed { color: var(--chg); border-color: var(--chg); } .chip.ok { color: var(--ok); border-color: var(--ok); }
.chip:has(input:not(:checked)) { opacity: .55; text-decoration: line-through; }
#q { font: inherit; padding: 3px 8px; min-width: 260px; border: 1px solid var(--line); border-radius: 6px; }
#shown { color: var(--muted); }
#overview { display: flex; flex-wrap: wrap; gap: 2px; margin: 8px 0; }
#overview .cell { display: block; width: 16px; height: 16px; border-radius: 3px; font-size: 11px; line-height: 16px; text-align: center; color: #fff; text-decoration: none; font-weight: 700; }
#overview .cell.st-failed { background: ${CELL_COLOURS.failed}; } #overview .cell.st-unreachable { background: ${CELL_COLOURS.unreachable}; }
#overview .cell.st-changed { background: ${CELL_COLOURS.changed}; } #overview .cell.st-ok { background: ${CELL_COLOURS.ok}; }
#overview .cell:hover, #overview .cell:focus { outline: 2px solid #0969da; outline-offset: 1px; }
.jumps a { margin-right: 10px; }
a.hl { display: inline-flex; align-items: baseline; gap: 3px; padding: 0 8px; margin: 2px 4px 2px 0; border-radius: 4px; border: 1px solid var(--line); text-decoration: none; white-space: nowrap; }
a.hl small { font-size: 11px; }
a.hl.st-failed { color: var(--bad); background: var(--bad-bg); border-color: var(--bad); } a.hl.st-unreachable { color: var(--unr); background: var(--unr-bg); border-color: var(--unr); }
a.hl.st-changed { color: var(--chg); background: var(--chg-bg); } a.hl.st-ok { color: var(--ok); background: var(--ok-bg); }
.links { display: flex; flex-wrap: wrap; align-items: baseline; }
.links details.more summary { cursor: pointer; color: #0969da; }
#problems { border: 1px solid var(--bad); border-radius: 6px; padding: 10px 16px; margin-bottom: 16px; background: #fffafa; }
ol.problems { margin: 0; padding-left: 22px; }
ol.problems li { margin: 6px 0; }
ol.problems p { margin: 0 0 4px; word-break: break-word; }
ol.problems .fix-text { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.status-head { margin: 18px 0 8px; }
.status-head.st-failed { color: var(--bad); } .status-head.st-unreachable { color: var(--unr); } .status-head.st-changed { color: var(--chg); } .status-head.st-ok { color: var(--ok); }
details > summary { cursor: pointer; }
details > summary h3 { display: inline; }
details.probe-box { margin-top: 12px; }
details.fold { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px; padding: 8px 16px; }
details.fold.st-ok { border-left-color: var(--ok); } details.fold.st-changed { border-left-color: var(--chg); }
details.fold > summary { font-size: 15px; }
ul.names { display: flex; flex-wrap: wrap; gap: 2px 10px; margin: 8px 0; padding: 0; list-style: none; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
ul.names li:target { background: #fff8c5; outline: 2px solid var(--chg); }
section.host:target { outline: 3px solid #0969da; }
footer { padding: 8px 24px 16px; color: var(--muted); font-size: 12px; }
`;
