// GET /: one small self-contained page for staff (no build step, no CDN). Live updates
// come over /api/events; the chart is a plain canvas drawing of the smoothed score
// against the level's threshold.
import { createHash } from 'node:crypto';

const STYLE = `
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#111;color:#eee}
header{display:flex;gap:1em;align-items:center;padding:.6em 1em;background:#1d1d1d}
h1{font-size:1.1em;margin:0}
.badge{padding:.1em .6em;border-radius:1em;background:#555}
.ok{background:#1b5e20}.bad{background:#b71c1c}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1em;padding:1em}
section{background:#1d1d1d;border-radius:.5em;padding:.8em}
h2{font-size:1em;margin:0 0 .5em;color:#aaa}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2em 1em;margin:0}
dt{color:#999}dd{margin:0;font-weight:600;overflow-wrap:anywhere}
canvas{width:100%;height:200px;background:#000;border-radius:.3em}
table{width:100%;border-collapse:collapse;font-size:.9em}td,th{text-align:left;padding:.2em .4em;border-bottom:1px solid #333}
img{max-width:100%;border-radius:.3em}
#reasons{color:#ff8a80;font-size:.85em;margin:.5em 0 0;padding-left:1.2em}
input,button{font:inherit}
`;

const SCRIPT = `
(function(){
'use strict';
var $=function(id){return document.getElementById(id)};
var WINDOW_MS=30000, points=[], threshold=null, levels=[], level=null, updates=0;
var canvas=$('chart'), ctx=canvas.getContext('2d');
function text(id,v){$(id).textContent=(v===null||v===undefined||v==='')?'–':String(v)}
function setState(s){if(!s)return;text('phase',s.phase);text('mode',s.mode);text('level',s.level);text('clip',s.clip);
  level=s.level;if(level&&levels[level-1])threshold=levels[level-1].threshold;draw()}
function addScore(p){points.push({t:p.ts,v:p.smoothed,raw:p.value});threshold=p.threshold;
  var cut=p.ts-WINDOW_MS;while(points.length&&points[0].t<cut)points.shift();
  updates++;canvas.setAttribute('data-updates',String(updates));canvas.setAttribute('data-points',String(points.length));
  text('score',p.smoothed.toFixed(3));text('faces',p.faces);text('held',Math.round(p.heldMs)+' / '+p.holdMs+' ms');draw()}
function draw(){var w=canvas.width=canvas.clientWidth*(window.devicePixelRatio||1),h=canvas.height=canvas.clientHeight*(window.devicePixelRatio||1);
  ctx.clearRect(0,0,w,h);ctx.strokeStyle='#333';ctx.lineWidth=1;
  for(var g=0;g<=4;g++){var gy=h-g*h/4;ctx.beginPath();ctx.moveTo(0,gy);ctx.lineTo(w,gy);ctx.stroke()}
  var now=points.length?points[points.length-1].t:Date.now();
  var x=function(t){return w-(now-t)/WINDOW_MS*w},y=function(v){return h-Math.max(0,Math.min(1,v))*h};
  if(threshold!==null){ctx.strokeStyle='#ff5252';ctx.setLineDash([6,4]);ctx.beginPath();ctx.moveTo(0,y(threshold));ctx.lineTo(w,y(threshold));ctx.stroke();ctx.setLineDash([])}
  ctx.strokeStyle='#40c4ff';ctx.lineWidth=2*(window.devicePixelRatio||1);ctx.beginPath();
  points.forEach(function(p,i){if(i)ctx.lineTo(x(p.t),y(p.v));else ctx.moveTo(x(p.t),y(p.v))});ctx.stroke()}
function fmtTime(ms){var d=new Date(ms);return d.toLocaleTimeString()}
function loadResults(){fetch('api/results?limit=10').then(function(r){return r.ok?r.json():null}).then(function(b){
  var tb=$('results');tb.textContent='';if(!b){tb.innerHTML='<tr><td colspan=5>results log not running</td></tr>';return}
  b.recent.forEach(function(r){var tr=document.createElement('tr');
    [fmtTime(r.endedAt),r.mode,r.level,r.outcome,r.peak.toFixed(2)].forEach(function(c){var td=document.createElement('td');td.textContent=String(c);tr.appendChild(td)});tb.appendChild(tr)});
  var tot=b.totals.reduce(function(a,t){a.r+=t.rounds;a.c+=t.cracked;a.s+=t.survived;return a},{r:0,c:0,s:0});
  text('totals',tot.r+' rounds, '+tot.c+' cracked, '+tot.s+' survived')}).catch(function(){})}
function loadStatus(){fetch('api/status').then(function(r){return r.json()}).then(function(s){
  levels=s.levels||[];setState(s.state);text('provider',s.provider);text('version',s.version);
  var b=$('health');b.textContent=s.healthy?'healthy':'unhealthy';b.className='badge '+(s.healthy?'ok':'bad');
  var ul=$('reasons');ul.textContent='';s.reasons.forEach(function(r){var li=document.createElement('li');li.textContent=r;ul.appendChild(li)});
  text('mqtt',s.mqtt?(s.mqtt.connected?'connected':'offline')+', '+s.mqtt.queued+' queued':'off');
  $('snapbox').hidden=!s.snapshot}).catch(function(){var b=$('health');b.textContent='no answer';b.className='badge bad'})}
var snapTimer=null;
function snapLoop(){var img=$('snap');fetch('api/snapshot.jpg',{credentials:'same-origin',headers:{'x-pokerface-page':'1'}}).then(function(r){
  if(r.status===401){$('login').hidden=false;return null}return r.ok?r.blob():null}).then(function(b){
  if(b){var old=img.src;img.src=URL.createObjectURL(b);img.hidden=false;if(old)URL.revokeObjectURL(old);$('login').hidden=true}
  snapTimer=setTimeout(snapLoop,1000)}).catch(function(){snapTimer=setTimeout(snapLoop,3000)})}
$('login').addEventListener('submit',function(e){e.preventDefault();
  fetch('api/session',{method:'POST',headers:{authorization:'Bearer '+$('token').value}}).then(function(r){
  $('token').value='';if(r.ok){$('login').hidden=true;if(!snapTimer)snapLoop()}else{text('loginmsg','token refused')}})});
var es=new EventSource('api/events');
es.addEventListener('state',function(e){setState(JSON.parse(e.data))});
es.addEventListener('score',function(e){addScore(JSON.parse(e.data))});
es.addEventListener('event',function(e){var ev=JSON.parse(e.data);text('lastevent',ev.type+(ev.outcome?' ('+ev.outcome+')':''));
  if(ev.type==='round_start'){points=[]}});
es.addEventListener('result',function(){loadResults()});
es.onopen=function(){text('live','live')};es.onerror=function(){text('live','reconnecting…')};
window.addEventListener('resize',draw);
loadStatus();loadResults();setInterval(loadStatus,5000);setInterval(loadResults,30000);
fetch('api/status').then(function(r){return r.json()}).then(function(s){if(s.snapshot)snapLoop()}).catch(function(){});
})();
`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** Only this page's own script runs; it talks to this server only. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "style-src 'unsafe-inline'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statusPageHtml(boothId: string): string {
  const id = esc(boothId);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>pokerface ${id}</title><style>${STYLE}</style></head>
<body>
<header><h1>pokerface · ${id}</h1><span id="health" class="badge">…</span><span id="live" class="badge">connecting…</span></header>
<main>
<section><h2>Game</h2><dl>
<dt>phase</dt><dd id="phase">–</dd><dt>mode</dt><dd id="mode">–</dd><dt>level</dt><dd id="level">–</dd>
<dt>clip</dt><dd id="clip">–</dd><dt>last event</dt><dd id="lastevent">–</dd></dl></section>
<section><h2>Score (smoothed) vs threshold</h2><canvas id="chart" data-points="0" data-updates="0"></canvas>
<dl><dt>score</dt><dd id="score">–</dd><dt>held</dt><dd id="held">–</dd><dt>faces</dt><dd id="faces">–</dd></dl></section>
<section><h2>Health</h2><dl><dt>provider</dt><dd id="provider">–</dd><dt>MQTT</dt><dd id="mqtt">–</dd><dt>version</dt><dd id="version">–</dd></dl>
<ul id="reasons"></ul></section>
<section><h2>Last results</h2><p id="totals">–</p><table><thead><tr><th>time</th><th>mode</th><th>level</th><th>outcome</th><th>peak</th></tr></thead>
<tbody id="results"></tbody></table></section>
<section id="snapbox" hidden><h2>Camera</h2>
<form id="login" hidden><input id="token" type="password" autocomplete="current-password" placeholder="API token"> <button>show camera</button> <span id="loginmsg"></span></form>
<img id="snap" alt="camera snapshot" hidden></section>
</main>
<script>${SCRIPT}</script>
</body></html>`;
}
