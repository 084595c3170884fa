"""The page's style sheet and script, inlined into every report (no file beside it, no network)."""

from __future__ import annotations

CSS = """
:root { --err: #c62828; --warn: #b26a00; --info: #546e7a; --ok: #2e7d32; --line: #d9dde3; --bg: #f6f7f9;
        --err-bg: #fde7e7; --warn-bg: #fff3d6; --info-bg: #e8eef1; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei",
       "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; color: #1f2328; background: var(--bg); }
header.top { background: #20334d; color: #fff; padding: 14px 24px; }
header.top h1 { margin: 0; font-size: 20px; font-weight: 600; }
header.top .en { color: #c9d3e0; font-weight: 400; }
header.top p { margin: 4px 0 0; color: #c9d3e0; font-size: 12px; }
nav.toc { padding: 6px 24px; background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
nav.toc a { margin-right: 18px; }
main { padding: 8px 24px 48px; max-width: 1280px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 2px solid #20334d; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.en { color: #57606a; font-weight: 400; }
a { color: #0b5cad; text-decoration: none; }
a:hover { text-decoration: underline; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
.card.err b { color: var(--err); } .card.warn b { color: var(--warn); } .card.fail b { color: var(--err); }
.cols { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #eef1f5; font-weight: 600; }
thead th .en, tfoot th .en { display: block; font-size: 11px; font-weight: 400; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px; }
.charts figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.charts img { width: 100%; height: auto; display: block; }
figcaption { font-size: 13px; color: #444; margin-top: 4px; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0; }
.filters input[type=search] { padding: 4px 8px; width: 280px; }
.filters select { padding: 3px 4px; max-width: 300px; }
#reports-table th[data-sort] { cursor: pointer; user-select: none; white-space: nowrap; }
#reports-table th[data-sort]::after { content: " \\2195"; color: #9aa4b1; }
#reports-table th.asc::after { content: " \\2191"; color: #1f2328; }
#reports-table th.desc::after { content: " \\2193"; color: #1f2328; }
#reports-table td.bad { color: var(--err); font-weight: 600; }
.sev { display: inline-block; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; }
.sev.error { background: var(--err); } .sev.warning { background: var(--warn); } .sev.info { background: var(--info); }
.count.error { color: var(--err); font-weight: 600; } .count.warning { color: var(--warn); font-weight: 600; }
details.report { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
details.report > summary { padding: 8px 12px; cursor: pointer; list-style-position: inside; }
details.report[open] > summary { border-bottom: 1px solid var(--line); background: #fafbfc; }
details.report > .body { padding: 4px 16px 16px; }
summary .name { font-weight: 600; }
summary .file { color: #57606a; font-size: 12px; margin-left: 6px; }
summary .totals { margin-left: 10px; font-size: 13px; }
.tools { margin: 8px 0; }
.tools button { margin-right: 8px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; font-size: 13px; }
dl.meta dt { color: #57606a; } dl.meta dd { margin: 0; }
ol.findings { padding-left: 0; list-style: none; }
li.finding { border-left: 4px solid var(--info); padding: 6px 10px; margin: 10px 0; background: #fcfcfd; }
li.finding.error { border-color: var(--err); } li.finding.warning { border-color: var(--warn); }
li.finding:target { outline: 2px solid #0b5cad; }
li.finding .msg { margin: 4px 0; }
li.finding code { font-size: 12px; }
table.kv th { white-space: nowrap; }
table.kv td { min-width: 80px; }
blockquote.snippet { margin: 4px 0; padding: 2px 8px; border-left: 3px solid var(--line); color: #444; }
figure.crop { margin: 6px 0; display: inline-block; max-width: 100%; }
figure.crop img { max-width: 100%; height: auto; border: 1px solid var(--line); display: block; background: #fff; }
.nocrop { color: #57606a; font-style: italic; font-size: 13px; }
table.data { font-size: 13px; margin-bottom: 8px; }
table.data td.hl-error { background: var(--err-bg); outline: 2px solid var(--err); outline-offset: -2px; }
table.data td.hl-warning { background: var(--warn-bg); outline: 2px solid var(--warn); outline-offset: -2px; }
table.data td.hl-info { background: var(--info-bg); }
table.data td a.cell { color: inherit; display: block; }
.merged { color: #9aa4b1; font-size: 12px; }
.muted { color: #57606a; }
.table-scroll { overflow-x: auto; }
"""

JS = """
(function () {
  'use strict';
  var table = document.getElementById('reports-table');
  function cellValue(row, index) {
    var cell = row.cells[index];
    var v = cell.getAttribute('data-v');
    return v === null ? cell.textContent.trim() : v;
  }
  function compare(a, b, desc) {
    if (a === '' || b === '') { return a === b ? 0 : (a === '' ? 1 : -1); }  // blanks last either way
    var na = parseFloat(a), nb = parseFloat(b);
    var aNum = !isNaN(na), bNum = !isNaN(nb);
    var c = aNum && bNum ? na - nb : (aNum !== bNum ? (aNum ? -1 : 1) : a.localeCompare(b, 'zh'));
    return desc ? -c : c;
  }
  if (table) {
    var body = table.tBodies[0];
    var headers = table.querySelectorAll('th[data-sort]');
    Array.prototype.forEach.call(headers, function (th) {
      th.addEventListener('click', function () {
        var index = th.cellIndex;
        var desc = th.classList.contains('asc');
        Array.prototype.forEach.call(headers, function (h) { h.classList.remove('asc', 'desc'); });
        th.classList.add(desc ? 'desc' : 'asc');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          return compare(cellValue(r1, index), cellValue(r2, index), desc);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    var search = document.getElementById('report-filter');
    var severity = document.getElementById('severity-filter');
    var shown = document.getElementById('shown-count');
    var filter = function () {
      var words = search.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
      var level = severity.value;
      var n = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var text = row.textContent.toLowerCase();
        var errors = +row.getAttribute('data-errors'), warnings = +row.getAttribute('data-warnings');
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
        if (level === 'error') { ok = ok && errors > 0; }
        else if (level === 'warning') { ok = ok && errors + warnings > 0; }
        else if (level === 'clean') { ok = ok && errors + warnings === 0; }
        row.hidden = !ok;
        if (ok) { n += 1; }
      });
      shown.textContent = String(n);
    };
    search.addEventListener('input', filter);
    severity.addEventListener('change', filter);
  }
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (!el) { return; }
    var d = el.closest('details');
    while (d) { d.open = true; d = d.parentElement ? d.parentElement.closest('details') : null; }
    el.scrollIntoView();
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  function setAll(open) {
    Array.prototype.forEach.call(document.querySelectorAll('details.report'), function (d) { d.open = open; });
  }
  var expand = document.getElementById('expand-all'), collapse = document.getElementById('collapse-all');
  if (expand) { expand.addEventListener('click', function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener('click', function () { setAll(false); }); }
}());
"""
