// The staff console's browser script, served as /console/app.js (the page's CSP allows
// scripts from this server only). Plain browser JavaScript kept in a string: no build
// step, nothing fetched from elsewhere; the chart is uPlot, served from node_modules.
export const CONSOLE_SCRIPT = String.raw`(function () {
'use strict';
var $ = function (id) { return document.getElementById(id); };
var ACTIVE = { countdown: 1, playing: 1 };
var token = '';
try { token = sessionStorage.getItem('pokerface-token') || ''; } catch (e) { token = ''; }
var levels = [], modes = [], clipMs = {}, offset = 0, phase = null, snapshot = false, snapTimer = null;
var round = null; // { start, end, outcome, clipMs, threshold, xs, ys, raws, thr }
var chart = null, chartDirty = false, updates = 0;

function text(id, v) { var el = $(id); if (el) el.textContent = (v === null || v === undefined || v === '') ? '–' : String(v); }
function now() { return Date.now() + offset; }
function secs(ms) { return (ms / 1000).toFixed(1) + ' s'; }
function fmtDur(s) {
  s = Math.round(s); var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d ? d + ' d ' + h + ' h' : h ? h + ' h ' + (m < 10 ? '0' : '') + m + ' min' : m + ' min ' + (s % 60) + ' s';
}
function fmtTime(ms) { return ms ? new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '–'; }
function human(reason) {
  if (!reason) return '';
  var i = reason.indexOf(': ');
  var head = (i >= 0 ? reason.slice(0, i) : reason).replace(/_/g, ' ');
  return i >= 0 ? head + ' (' + reason.slice(i + 2) + ')' : head;
}
/** a clip path as staff read it: the library name it ends with, else its last folders */
function rel(p) {
  if (!p) return null;
  var names = Object.keys(clipMs);
  for (var i = 0; i < names.length; i++) { var n = names[i]; if (p === n || p.slice(-n.length - 1) === '/' + n) return n; }
  return p.split('/').slice(-3).join('/');
}
function levelInfo(l) { for (var i = 0; i < levels.length; i++) if (levels[i].level === l) return levels[i]; return null; }
function cells(tr, values) { values.forEach(function (v) { var td = document.createElement('td'); td.textContent = (v === null || v === undefined) ? '–' : String(v); tr.appendChild(td); }); return tr; }

// ------------------------------------------------------------- server answers
function api(method, path, body) {
  var h = {};
  if (token) h.authorization = 'Bearer ' + token;
  if (body !== undefined) h['content-type'] = 'application/json';
  return fetch(path, { method: method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
    .then(function (r) { return r.text().then(function (t) { var j = null; try { j = JSON.parse(t); } catch (e) { j = null; } return { status: r.status, json: j, text: t }; }); });
}
function answer(label, r) {
  var el = $('answer'), ok = r && r.status >= 200 && r.status < 300;
  var msg;
  if (!r) msg = label + ': no answer from the booth';
  else if (ok) msg = label + ': ' + r.status + ' OK' + (r.json && r.json.message ? ' – ' + r.json.message : '');
  else {
    var hint = r.status === 401 ? ' (token wrong or missing)' : r.status === 403 ? ' (no token configured on the booth)' : r.status === 409 ? ' (not possible now)' : r.status === 429 ? ' (rate limited: wait a moment)' : r.status === 503 ? ' (not ready)' : '';
    msg = label + ': ' + r.status + ' ' + (r.json && r.json.code ? r.json.code : '') + hint + (r.json && r.json.message ? ' – ' + r.json.message : '');
  }
  el.textContent = msg; el.className = 'answer ' + (ok ? 'ok' : 'bad');
  el.setAttribute('data-status', r ? String(r.status) : '0');
}
function control(label, path, body) {
  return api('POST', path, body).then(function (r) { answer(label, r); return r; }, function () { answer(label, null); return null; });
}

$('login').addEventListener('submit', function (e) {
  e.preventDefault();
  token = $('token').value.trim(); $('token').value = '';
  try { sessionStorage.setItem('pokerface-token', token); } catch (x) { /* private mode */ }
  control('log in', 'api/session').then(function (r) {
    text('who', r && r.status === 200 ? 'token accepted' : 'token not accepted');
    if (r && r.status === 200 && snapshot && !snapTimer) snapLoop();
  });
});
$('start').addEventListener('click', function () {
  var body = { mode: $('modesel').value, level: Number($('levelsel').value) };
  control('start ' + body.mode + ' level ' + body.level, 'api/game/start', body);
});
$('stop').addEventListener('click', function () { control('stop', 'api/game/stop'); });
var restartArmed = null;
$('restart').addEventListener('click', function () {
  var b = $('restart');
  if (!restartArmed) {
    b.textContent = 'Really restart?'; b.className = 'warn armed';
    restartArmed = setTimeout(function () { restartArmed = null; b.textContent = 'Restart daemon'; b.className = 'warn'; }, 5000);
    return;
  }
  clearTimeout(restartArmed); restartArmed = null; b.textContent = 'Restart daemon'; b.className = 'warn';
  control('restart', 'api/restart');
});
Array.prototype.forEach.call(document.querySelectorAll('[data-button]'), function (b) {
  b.addEventListener('click', function () { var n = b.getAttribute('data-button'); control('button ' + n, 'api/buttons/' + n); });
});

// ------------------------------------------------------------- live round
function meterIdle() {
  $('meterfill').style.width = '0%'; $('holdfill').style.width = '0%';
  text('scoreval', null); text('held', null); text('faces', null);
  $('meter').setAttribute('data-value', '');
  $('meterbox').className = 'idle';
}
function placeThreshold(t) {
  $('meterthr').style.left = Math.min(100, t * 100) + '%';
  text('thrval', t === null ? null : 'threshold ' + t.toFixed(2));
}
function setState(s) {
  if (!s) return;
  phase = s.phase;
  var p = $('phase'); p.textContent = s.phase; p.className = 'phase ' + s.phase;
  text('mode', s.mode); text('level', s.level); text('clip', rel(s.clip));
  var li = levelInfo(s.level);
  if (li) placeThreshold(li.threshold);
  if (!ACTIVE[s.phase]) meterIdle();
  if (s.phase === 'playing' && s.clip && !round) startRound(s.since, s.clip, s.level); // a page opened mid-round
}
function startRound(ts, clip, level) {
  var li = levelInfo(level), c = rel(clip);
  round = { start: ts, end: null, outcome: null, clipMs: c && clipMs[c] ? clipMs[c] : null, threshold: li ? li.threshold : null, xs: [], ys: [], raws: [], thr: [] };
  $('banner').hidden = true; $('banner').className = 'banner';
  makeChart();
}
function endRound(ev) {
  var label;
  if (ev.type === 'cracked') label = 'CRACKED at ' + secs(ev.durationMs || 0);
  else if (ev.type === 'survived') label = 'SURVIVED ' + secs(ev.durationMs || 0);
  else label = 'ABORTED: ' + (human(ev.reason) || 'stopped');
  var b = $('banner'); b.textContent = label; b.className = 'banner ' + ev.type; b.hidden = false;
  if (round) { round.end = ev.ts; round.outcome = label; chartDirty = true; }
}
function addScore(p) {
  if (!ACTIVE[phase]) return;
  var over = p.smoothed >= p.threshold;
  $('meterfill').style.width = Math.min(100, p.smoothed * 100) + '%';
  $('meterfill').className = 'fill' + (over ? ' over' : '');
  placeThreshold(p.threshold);
  $('holdfill').style.width = (p.holdMs > 0 ? Math.min(100, p.heldMs / p.holdMs * 100) : over ? 100 : 0) + '%';
  text('scoreval', p.smoothed.toFixed(2)); text('held', 'held ' + Math.round(p.heldMs) + ' / ' + p.holdMs + ' ms'); text('faces', p.faces + (p.faces === 1 ? ' face' : ' faces'));
  $('meter').setAttribute('data-value', String(p.smoothed));
  $('meterbox').className = '';
  if (round && round.end === null && phase === 'playing') {
    var x = (p.ts - round.start) / 1000;
    if (x < 0) return;
    round.threshold = p.threshold;
    round.xs.push(x); round.ys.push(p.smoothed); round.raws.push(p.value); round.thr.push(p.threshold);
    updates++; chartDirty = true;
  }
}
setInterval(function () {
  if (phase === 'playing' && round && round.end === null && round.clipMs) text('timeleft', secs(Math.max(0, round.clipMs - (now() - round.start))));
  else text('timeleft', null);
}, 250);

// ------------------------------------------------------------- chart (uPlot)
function chartSize() { var box = $('chart'); return { width: Math.max(200, box.clientWidth), height: box.clientWidth < 500 ? 180 : 240 }; }
function marks(u) {
  if (!round) return;
  var ctx = u.ctx, top = u.bbox.top, bot = u.bbox.top + u.bbox.height, dpr = window.devicePixelRatio || 1;
  ctx.save(); ctx.font = (12 * dpr) + 'px system-ui,sans-serif'; ctx.lineWidth = 2 * dpr;
  function vline(x, color, label, right) {
    var px = u.valToPos(x, 'x', true);
    ctx.strokeStyle = color; ctx.fillStyle = color; ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, bot); ctx.stroke();
    ctx.textAlign = right ? 'right' : 'left'; ctx.fillText(label, px + (right ? -4 : 4) * dpr, top + 14 * dpr);
  }
  vline(0, '#9e9e9e', 'start', false);
  if (round.end !== null) vline((round.end - round.start) / 1000, round.outcome && round.outcome.indexOf('CRACKED') === 0 ? '#ff5252' : '#69f0ae', round.outcome || 'end', true);
  if (round.threshold !== null) {
    var py = u.valToPos(round.threshold, 'y', true);
    ctx.fillStyle = '#ff8a80'; ctx.textAlign = 'left';
    ctx.fillText('threshold ' + round.threshold.toFixed(2), u.bbox.left + 48 * dpr, py - 5 * dpr);
  }
  ctx.restore();
}
function makeChart() {
  var box = $('chart');
  if (typeof uPlot !== 'function') { box.textContent = 'chart library missing'; return; }
  if (chart) { chart.destroy(); chart = null; }
  var thr = round && round.threshold !== null ? round.threshold.toFixed(2) : '';
  var axis = { stroke: '#bbb', grid: { stroke: '#333', width: 1 }, ticks: { stroke: '#444', width: 1 }, font: '13px system-ui,sans-serif', labelFont: '13px system-ui,sans-serif' };
  var f3 = function (u, v) { return v === null || v === undefined ? '–' : v.toFixed(2); };
  var s = chartSize();
  chart = new uPlot({
    width: s.width, height: s.height,
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    scales: {
      x: { time: false, range: function (u, min, max) { var r = round; var end = r ? (r.end !== null ? (r.end - r.start) / 1000 + 0.5 : Math.max(r.clipMs ? r.clipMs / 1000 : 10, (max || 0) + 1)) : 10; return [0, end]; } },
      y: { range: function (u, min, max) { return [0, Math.max(1, max || 0)]; } }
    },
    axes: [
      Object.assign({ label: 'seconds into the round', values: function (u, vals) { return vals.map(function (v) { return v + ' s'; }); } }, axis),
      Object.assign({ label: 'score', size: 50 }, axis)
    ],
    series: [
      { label: 'time', value: function (u, v) { return v === null || v === undefined ? '–' : v.toFixed(1) + ' s'; } },
      { label: 'score (smoothed)', stroke: '#40c4ff', width: 2.5, value: f3, points: { show: false } },
      { label: 'raw score', stroke: '#90a4ae', width: 1, value: f3, points: { show: false } },
      { label: thr ? 'threshold ' + thr : 'threshold', stroke: '#ff5252', width: 1.5, dash: [8, 5], value: f3, points: { show: false } }
    ],
    hooks: { draw: [marks] }
  }, round ? [round.xs, round.ys, round.raws, round.thr] : [[], [], [], []], box);
}
function redraw() {
  if (chartDirty && chart && round) {
    chartDirty = false;
    chart.setData([round.xs, round.ys, round.raws, round.thr]);
    $('chart').setAttribute('data-points', String(round.xs.length));
    $('chart').setAttribute('data-updates', String(updates));
  }
  requestAnimationFrame(redraw);
}
requestAnimationFrame(redraw);
window.addEventListener('resize', function () { if (chart) chart.setSize(chartSize()); });

// ------------------------------------------------------------- system, clips, results
function loadSystem() {
  api('GET', 'api/system').then(function (r) {
    var s = r.json; if (r.status !== 200 || !s) throw new Error('status ' + r.status);
    offset = s.time - Date.now();
    var h = $('health'); h.textContent = s.healthy ? 'healthy' : 'unhealthy'; h.className = 'badge ' + (s.healthy ? 'ok' : 'bad');
    text('cam', s.camera ? s.camera.fps.toFixed(1) + ' fps · ' + s.camera.dropped + ' dropped · ' + s.camera.state + (s.camera.reconnects ? ' · ' + s.camera.reconnects + ' reconnects' : '') : 'not running');
    text('infer', s.infer ? s.infer.provider + ' · p50 ' + s.infer.msP50.toFixed(1) + ' ms · p95 ' + s.infer.msP95.toFixed(1) + ' ms' : 'not running');
    text('lag', 'mean ' + s.loopLagMs.meanMs.toFixed(1) + ' ms · max ' + s.loopLagMs.maxMs.toFixed(1) + ' ms');
    text('mem', s.rssMb.toFixed(0) + ' MB');
    text('uptime', fmtDur(s.uptimeS));
    text('mqtt', s.mqtt ? (s.mqtt.connected ? 'connected' : 'OFFLINE') + ' · ' + s.mqtt.queued + ' queued' + (s.mqtt.dropped ? ' · ' + s.mqtt.dropped + ' dropped' : '') : 'off');
    text('broker', s.mqtt ? s.mqtt.broker : 'off');
    var ul = $('components'); ul.textContent = '';
    s.components.forEach(function (c) {
      var li = document.createElement('li'), b = document.createElement('span');
      b.className = 'dot ' + (c.healthy ? 'ok' : 'bad'); b.textContent = c.healthy ? 'ok' : '!!';
      li.appendChild(b); li.appendChild(document.createTextNode(' ' + c.name + (c.reasons.length ? ': ' + c.reasons.join('; ') : '')));
      ul.appendChild(li);
    });
  }).catch(function () { var h = $('health'); h.textContent = 'no answer'; h.className = 'badge bad'; });
}
function fillSelect(sel, items) {
  var cur = sel.value; sel.textContent = '';
  items.forEach(function (it) { var o = document.createElement('option'); o.value = String(it[0]); o.textContent = it[1]; sel.appendChild(o); });
  if (cur) sel.value = cur;
}
function loadClips() {
  return api('GET', 'api/clips').then(function (r) {
    var c = r.json; if (r.status !== 200 || !c) return;
    levels = c.levels; modes = c.modes; clipMs = {};
    fillSelect($('modesel'), modes.map(function (m) { return [m.name, m.name]; }));
    fillSelect($('levelsel'), levels.map(function (l) { return [l.level, 'level ' + l.level + ' (≥ ' + l.threshold.toFixed(2) + ' for ' + l.holdMs + ' ms)']; }));
    var tb = $('clips'); tb.textContent = '';
    c.clips.forEach(function (k) {
      if (k.durationMs !== null) clipMs[k.name] = k.durationMs;
      var tr = cells(document.createElement('tr'), [k.mode, k.level, k.name, k.durationMs === null ? 'gone' : secs(k.durationMs), k.rounds,
        k.crackRate === null ? '–' : Math.round(k.crackRate * 100) + ' %', k.medianCrackMs === null ? '–' : secs(k.medianCrackMs), fmtTime(k.lastPlayed)]);
      if (!k.playable || k.failures) tr.className = 'problem';
      tb.appendChild(tr);
    });
    if (!c.clips.length) cells(tb.appendChild(document.createElement('tr')), [c.media ? 'no clips in the media folder' : 'media library not running']);
    var ul = $('problems'); ul.textContent = '';
    c.problems.concat(c.empty.map(function (f) { return { name: f + '/', kind: 'empty', reason: 'no playable clip in this folder', at: null }; })).forEach(function (p) {
      var li = document.createElement('li');
      li.textContent = p.name + ' – ' + (p.kind === 'probe' ? 'cannot be read: ' : p.kind === 'play' ? 'failed to play: ' : '') + p.reason + (p.at ? ' (' + fmtTime(p.at) + ')' : '');
      ul.appendChild(li);
    });
    $('problembox').hidden = ul.childNodes.length === 0;
  }).catch(function () { /* next time */ });
}
function loadResults() {
  api('GET', 'api/results?limit=15&sinceDays=14').then(function (r) {
    var b = r.json, tt = $('totals'), tb = $('recent');
    tt.textContent = ''; tb.textContent = '';
    if (r.status !== 200 || !b) { cells(tt.appendChild(document.createElement('tr')), ['results log not running']); return; }
    var sum = { r: 0, c: 0, s: 0, a: 0 };
    b.totals.forEach(function (t) {
      sum.r += t.rounds; sum.c += t.cracked; sum.s += t.survived; sum.a += t.aborted;
      cells(tt.appendChild(document.createElement('tr')), [t.day, t.mode, t.level, t.rounds, t.cracked, t.survived, t.aborted]);
    });
    // a page opened after a round still shows how the last one ended, until the next starts
    var last = b.recent[0];
    if (last && !round && $('banner').hidden) endRound({ type: last.outcome, durationMs: last.durationMs, reason: last.reason, ts: last.endedAt });
    text('sum', sum.r + ' rounds · ' + sum.c + ' cracked · ' + sum.s + ' survived · ' + sum.a + ' aborted (14 days)');
    b.recent.forEach(function (x) {
      var tr = cells(document.createElement('tr'), [fmtTime(x.endedAt), x.mode, x.level, rel(x.clip), x.outcome, x.outcome === 'cracked' ? secs(x.durationMs) : x.outcome === 'aborted' ? human(x.reason) : secs(x.durationMs), x.peak.toFixed(2)]);
      tr.className = x.outcome; tb.appendChild(tr);
    });
  }).catch(function () { /* next time */ });
}

// ------------------------------------------------------------- camera (optional)
function snapLoop() {
  var img = $('snap');
  fetch('api/snapshot.jpg', { credentials: 'same-origin', headers: token ? { authorization: 'Bearer ' + token, 'x-pokerface-page': '1' } : { 'x-pokerface-page': '1' } }).then(function (r) {
    if (r.status === 401) { text('camnote', 'log in to see the camera'); return 'stop'; }
    return r.ok ? r.blob() : null;
  }).then(function (b) {
    if (b === 'stop') { snapTimer = null; return; }
    if (b) { var old = img.src; img.src = URL.createObjectURL(b); img.hidden = false; text('camnote', ''); if (old) URL.revokeObjectURL(old); }
    snapTimer = setTimeout(snapLoop, 1000);
  }).catch(function () { snapTimer = setTimeout(snapLoop, 3000); });
}

// ------------------------------------------------------------- live stream
var es = new EventSource('api/events');
es.addEventListener('state', function (e) { setState(JSON.parse(e.data)); });
es.addEventListener('score', function (e) { addScore(JSON.parse(e.data)); });
es.addEventListener('event', function (e) {
  var ev = JSON.parse(e.data);
  if (ev.type === 'phase') return;
  text('lastevent', ev.type + (ev.mode ? ' · ' + ev.mode : '') + (ev.level ? ' · level ' + ev.level : '') + ' · ' + new Date(ev.ts + 0).toLocaleTimeString());
  if (ev.type === 'round_start') startRound(ev.ts, ev.clip, ev.level);
  else endRound(ev);
});
es.addEventListener('result', function () { loadResults(); loadClips(); });
es.onopen = function () { var l = $('live'); l.textContent = 'live'; l.className = 'badge ok'; };
es.onerror = function () { var l = $('live'); l.textContent = 'reconnecting…'; l.className = 'badge bad'; };

text('who', token ? 'token kept from this tab' : 'not logged in');
loadClips().then(function () {
  return api('GET', 'api/status').then(function (r) {
    if (r.status !== 200 || !r.json) return;
    setState(r.json.state); snapshot = r.json.snapshot; $('snapbox').hidden = !snapshot;
    text('version', r.json.boothId + ' · v' + r.json.version);
    if (snapshot) snapLoop();
  });
});
loadSystem(); loadResults();
setInterval(loadSystem, 2000); setInterval(loadResults, 30000); setInterval(loadClips, 60000);
makeChart();
})();
`;
