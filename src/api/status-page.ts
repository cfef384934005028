// GET /: the staff console, one page served by the daemon (no build step, no CDN). Its
// script (/console/app.js), style (/console/app.css) and chart library (uPlot, from
// node_modules) come from this server only; the CSP allows nothing else. Live updates
// come over /api/events; controls call the documented REST routes with the token.
import { BUTTONS } from '../types.js';

export const CONSOLE_STYLE = `
*{box-sizing:border-box}
body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#111;color:#eee}
header{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center;padding:.6em 1em;background:#1d1d1d;position:sticky;top:0;z-index:2}
h1{font-size:1.15em;margin:0}
h2{font-size:1em;margin:0 0 .6em;color:#aaa;text-transform:uppercase;letter-spacing:.05em}
h3{font-size:.95em;margin:.8em 0 .4em;color:#aaa}
.badge{padding:.15em .7em;border-radius:1em;background:#555;font-weight:600}
.ok{background:#1b5e20}.bad{background:#b71c1c}
#version{color:#888;font-size:.85em;margin-left:auto}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1em;padding:1em;max-width:1400px;margin:0 auto}
section{background:#1d1d1d;border-radius:.5em;padding:.9em;min-width:0}
.wide{grid-column:1/-1}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25em 1em;margin:0}
dt{color:#999}dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.phase{display:inline-block;font-size:1.7em;font-weight:800;text-transform:uppercase;padding:.05em .5em;border-radius:.3em;background:#333;margin-bottom:.4em}
.phase.playing{background:#0d47a1}.phase.countdown{background:#4a148c}.phase.result{background:#37474f}.phase.select{background:#004d40}
.round{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.3fr);gap:1em;align-items:start}
.meterhead{display:flex;align-items:baseline;gap:.6em;flex-wrap:wrap}
#scoreval{font-size:3.2em;font-weight:800;line-height:1;font-variant-numeric:tabular-nums}
#thrval{color:#ff8a80;font-weight:600}
.track{position:relative;height:2.2em;background:#2a2a2a;border-radius:.3em;overflow:hidden;margin:.4em 0}
.track.small{height:.9em}
.fill{position:absolute;left:0;top:0;bottom:0;width:0;background:#40c4ff}
.fill.over{background:#ff5252}
#holdfill{background:#ffab40}
.thr{position:absolute;top:0;bottom:0;width:3px;margin-left:-1px;background:#fff;left:100%}
#meterbox.idle .meterhead,#meterbox.idle .track,#meterbox.idle #held{display:none}
.idlenote{display:none;margin:.2em 0;color:#888;font-size:1.3em}
#meterbox.idle .idlenote{display:block}
#held{font-size:1.25em;font-weight:700;font-variant-numeric:tabular-nums}
.banner{margin-top:.6em;padding:.35em .6em;border-radius:.3em;font-size:1.7em;line-height:1.2;font-weight:900;text-align:center;letter-spacing:.03em}
.banner.cracked{background:#c62828}.banner.survived{background:#2e7d32}.banner.aborted{background:#ef6c00}
form,.row{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin:.4em 0}
input,select,button{font:inherit;color:#eee;background:#2b2b2b;border:1px solid #555;border-radius:.3em;padding:.45em .7em;min-height:2.6em}
input{flex:1 1 10em;min-width:0}
button{cursor:pointer;font-weight:600}
button:hover{background:#3a3a3a}
button.go{background:#1565c0;border-color:#1e88e5}
button.stop{background:#6d4c41}
button.warn{background:#4e342e;border-color:#8d6e63}
button.armed{background:#d84315}
.vbuttons button{flex:1 1 5.5em}
.answer{min-height:1.6em;margin:.5em 0 0;padding:.3em .5em;border-radius:.3em;background:#262626;overflow-wrap:anywhere}
.answer.ok{background:#1b3d1d}.answer.bad{background:#4a1515}
#who{color:#aaa;font-size:.9em}
#chart{min-height:200px}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.92em}
td,th{text-align:left;padding:.3em .45em;border-bottom:1px solid #333;white-space:nowrap}
th{color:#aaa;font-weight:600}
tr.problem td,tr.aborted td:nth-child(6){color:#ffb74d}
tr.cracked td:nth-child(5){color:#ff8a80}tr.survived td:nth-child(5){color:#a5d6a7}
.sys{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1em}
.sys h3{margin-top:0}
#components{list-style:none;padding:0;margin:0;columns:2}
#components li{margin:.2em 0}
.dot{display:inline-block;min-width:2.2em;text-align:center;border-radius:.3em;font-size:.8em;font-weight:700;padding:0 .3em}
#problems{color:#ffb74d;padding-left:1.2em}
a{color:#80d8ff}
img{max-width:100%;border-radius:.3em}
.uplot{font-family:system-ui,sans-serif}
.u-legend{font-size:.85em;color:#ddd}
@media (max-width:900px){main{grid-template-columns:minmax(0,1fr);padding:.5em;gap:.6em}.round,.sys{grid-template-columns:minmax(0,1fr)}section{padding:.7em}.banner{font-size:1.4em}header{padding:.5em}#version{display:none}}
`;

/** Scripts, styles and data only from this server; no inline code at all. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statusPageHtml(boothId: string): string {
  const id = esc(boothId);
  const vbuttons = BUTTONS.map((b) => `<button type="button" data-button="${b}">${b}</button>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>pokerface ${id}</title>
<link rel="stylesheet" href="console/uplot.css"><link rel="stylesheet" href="console/app.css"></head>
<body>
<header><h1>pokerface · ${id}</h1><span id="health" class="badge">…</span><span id="live" class="badge">connecting…</span><span id="version"></span></header>
<main>
<section id="roundbox"><h2>Live round</h2>
<div class="round"><div>
<span id="phase" class="phase">–</span>
<dl><dt>mode</dt><dd id="mode">–</dd><dt>level</dt><dd id="level">–</dd><dt>clip</dt><dd id="clip">–</dd>
<dt>time left</dt><dd id="timeleft">–</dd><dt>last event</dt><dd id="lastevent">–</dd></dl>
</div><div>
<div id="meterbox" class="idle">
<div class="meterhead"><span id="scoreval">–</span><span id="thrval">–</span><span id="faces"></span></div>
<div id="meter" class="track" data-value=""><div id="meterfill" class="fill"></div><div id="meterthr" class="thr"></div></div>
<div id="held">–</div>
<div class="track small"><div id="holdfill" class="fill"></div></div>
<p class="idlenote">no round running</p>
</div>
<div id="banner" class="banner" role="status" hidden></div>
</div></div></section>
<section id="controlbox"><h2>Controls</h2>
<form id="login"><input id="token" type="password" autocomplete="current-password" placeholder="API token" aria-label="API token"><button>Log in</button><span id="who"></span></form>
<div class="row"><select id="modesel" aria-label="mode"></select><select id="levelsel" aria-label="level"></select><button id="start" type="button" class="go">Start round</button></div>
<div class="row"><button id="stop" type="button" class="stop">Stop round</button><button id="restart" type="button" class="warn">Restart daemon</button></div>
<div class="row vbuttons">${vbuttons}</div>
<p id="answer" class="answer" role="status" aria-live="polite" data-status=""></p>
</section>
<section id="chartbox" class="wide"><h2>Score this round</h2><div id="chart" data-points="0" data-updates="0"></div></section>
<section id="systembox" class="wide"><h2>System</h2><div class="sys"><dl>
<dt>camera</dt><dd id="cam">–</dd><dt>inference</dt><dd id="infer">–</dd><dt>event loop lag</dt><dd id="lag">–</dd>
<dt>memory (RSS)</dt><dd id="mem">–</dd><dt>uptime</dt><dd id="uptime">–</dd><dt>MQTT</dt><dd id="mqtt">–</dd><dt>broker</dt><dd id="broker">–</dd></dl>
<div><h3>Components</h3><ul id="components"></ul></div></div></section>
<section id="snapbox" hidden><h2>Camera</h2><p id="camnote"></p><img id="snap" alt="camera snapshot" hidden></section>
<section id="clipsbox" class="wide"><h2>Clips</h2>
<div class="scroll"><table><thead><tr><th>mode</th><th>level</th><th>clip</th><th>length</th><th>rounds</th><th>crack rate</th><th>median crack</th><th>last played</th></tr></thead>
<tbody id="clips"></tbody></table></div>
<div id="problembox" hidden><h3>Clips that do not work</h3><ul id="problems"></ul></div></section>
<section id="resultsbox" class="wide"><h2>Results</h2>
<div class="row"><span id="sum">–</span><a id="csv" href="api/results.csv" download="pokerface-results.csv">Download CSV</a></div>
<h3>Per day, mode and level</h3>
<div class="scroll"><table><thead><tr><th>day</th><th>mode</th><th>level</th><th>rounds</th><th>cracked</th><th>survived</th><th>aborted</th></tr></thead><tbody id="totals"></tbody></table></div>
<h3>Last rounds</h3>
<div class="scroll"><table><thead><tr><th>time</th><th>mode</th><th>level</th><th>clip</th><th>outcome</th><th>time / reason</th><th>peak</th></tr></thead><tbody id="recent"></tbody></table></div>
</section>
</main>
<script src="console/uplot.js"></script><script src="console/app.js"></script>
</body></html>`;
}
