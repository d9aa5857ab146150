// monitor.js - 监测 (跟踪监测, issue 20) for authorities (经信局) and centers:
// GET /v1/reports/* drawn with ECharts (loaded as dashboard.js loads it):
// enterprises by level in each district, the level distribution, the
// monthly trend, and the tables below with CSV and Excel buttons; and a
// printable monthly report (#/monitor/print: one click, A4, print CSS).
//
// Filters: province, city, district (from GET /v1/regions) and a period
// (from, to as months).  An authority's reports are cut to its region by
// the server; the filters narrow inside it.  Exports are fetched with the
// same credentials as every call (a key or the session) and saved as a
// file, so a key login downloads too.

import { api, getKey } from './api.js';
import { h, clear, pageHeader, emptyState, loading, state } from './ui.js';
import { loadEcharts } from './dashboard.js';

const LEVELS = ['level_0', 'level_1', 'level_2', 'level_3', 'level_4'];
const LEVEL_TEXT = ['未达一级', '一级', '二级', '三级', '四级'];
const COLORS = ['#94a3b8', '#60a5fa', '#1d4ed8', '#0d9488', '#f59e0b'];
let charts = [];

function pct(v) {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

function query(f, extra = {}) {
  const q = { ...extra };
  for (const k of ['province', 'city', 'district', 'from', 'to']) if (f[k]) q[k] = f[k];
  return q;
}

function qs(q) {
  return Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

// Downloads /v1/reports/<name> (or a list) as a file with the caller's credentials.
async function download(path, q, filename) {
  const headers = {};
  const key = getKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(`${path}?${qs(q)}`, { headers, credentials: 'same-origin' });
  if (!res.ok) throw new Error(`导出失败（${res.status}）`);
  const blob = await res.blob();
  const a = h('a', { href: URL.createObjectURL(blob), download: filename });
  document.body.append(a);
  a.click();
  a.remove();
}

function exportButtons(path, q, stem) {
  const btn = (fmt, text) => h('button', {
    class: 'btn btn-small', type: 'button', 'data-export': `${stem}.${fmt}`,
    onclick: () => download(path, { ...q, format: fmt }, `${stem}.${fmt}`).catch((e) => alert(e.message)),
  }, text);
  return h('span', { class: 'export-buttons no-print' }, btn('csv', '导出 CSV'), btn('xlsx', '导出 Excel'));
}

// A table of a report: its columns as the server named them.
function reportTable(doc, id) {
  const cols = doc.columns.filter((c) => c.key !== 'key' || doc.report !== 'levels');
  return h('table', { class: 'table report-table', id },
    h('thead', null, h('tr', null, cols.map((c) => h('th', null, c.title)))),
    h('tbody', null, doc.rows.map((r) => h('tr', { class: r.key === 'total' ? 'total' : '' },
      cols.map((c) => {
        const v = r[c.key];
        return h('td', { class: c.type === 'text' ? '' : 'num' },
          c.type === 'percent' ? pct(v) : v === null || v === undefined ? '' : String(v));
      })))));
}

function chartBox(id, title) {
  return h('div', { class: 'card chart-card' }, h('h3', null, title), h('div', { class: 'chart', id, style: 'height:300px' }));
}

async function drawCharts(byDistrict, byMonth) {
  let ec;
  try { ec = await loadEcharts(); } catch (e) { return; }
  charts.forEach((c) => c.dispose());
  charts = [];
  const rows = byDistrict.rows.filter((r) => r.key !== 'total');
  const bar = ec.init(document.getElementById('chart-district'));
  bar.setOption({
    animation: false,
    color: COLORS,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 20, bottom: 60, top: 40 },
    xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', name: '企业数' },
    series: LEVELS.map((k, i) => ({ name: LEVEL_TEXT[i], type: 'bar', stack: 'lv', data: rows.map((r) => r[k]) })),
  });
  const tot = byDistrict.total || {};
  const pie = ec.init(document.getElementById('chart-levels'));
  pie.setOption({
    animation: false,
    color: COLORS,
    tooltip: { trigger: 'item' },
    series: [{ type: 'pie', radius: ['40%', '70%'], data: LEVELS.map((k, i) => ({ name: LEVEL_TEXT[i], value: tot[k] || 0 })) }],
  });
  const line = ec.init(document.getElementById('chart-trend'));
  line.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 40, bottom: 30, top: 40 },
    xAxis: { type: 'category', data: byMonth.rows.map((r) => r.key) },
    yAxis: [{ type: 'value', name: '企业数' }, { type: 'value', name: '占比', max: 1, axisLabel: { formatter: (v) => `${v * 100}%` } }],
    series: [
      { name: '新建档', type: 'line', data: byMonth.rows.map((r) => r.filed) },
      { name: '核验', type: 'line', data: byMonth.rows.map((r) => r.verified) },
      { name: '二级及以上占比', type: 'line', yAxisIndex: 1, data: byMonth.rows.map((r) => r.share_level_2_plus) },
    ],
  });
  charts = [bar, pie, line];
}

function regionSelect(f, onChange) {
  const doc = state.regions || { provinces: [] };
  const provinces = doc.provinces || doc.items || [];
  const opt = (v, t, sel) => h('option', { value: v, selected: sel ? 'selected' : null }, t);
  const prov = provinces.find((p) => p.name === f.province || p.code === f.province);
  const cities = prov ? (prov.cities || prov.children || []) : [];
  const city = cities.find((c) => c.name === f.city || c.code === f.city);
  const dists = city ? (city.districts || city.children || []) : [];
  const sel = (name, list, cur, all) => h('select', {
    name, id: `f-${name}`, onchange: (e) => onChange(name, e.target.value),
  }, opt('', all, !cur), list.map((x) => opt(x.name, x.name, x.name === cur)));
  return [sel('province', provinces, f.province, '全部省份'), sel('city', cities, f.city, '全部城市'),
    sel('district', dists, f.district, '全部区县')];
}

function filtersFromHash() {
  const q = (location.hash.split('?')[1] || '');
  const f = {};
  for (const part of q.split('&')) {
    const [k, v] = part.split('=');
    if (k) f[k] = decodeURIComponent(v || '');
  }
  return f;
}

function setFilters(f, path = '#/monitor') {
  const q = qs(Object.fromEntries(Object.entries(f).filter(([, v]) => v)));
  location.hash = q ? `${path}?${q}` : path;
}

async function loadRegions() {
  if (!state.regions) state.regions = await api.get('/v1/regions');
}

export async function monitorPage(view, params, ctx) {
  const f = filtersFromHash();
  view.append(loading());
  await loadRegions();
  const [byDistrict, byMonth, byIndustry, movement, campaigns, gaps, projects] = await Promise.all([
    api.get('/v1/reports/levels', query(f, { by: 'district' })),
    api.get('/v1/reports/levels', query(f, { by: 'month' })),
    api.get('/v1/reports/levels', query(f, { by: 'industry' })),
    api.get('/v1/reports/movement', query(f)),
    api.get('/v1/reports/campaigns', query(f)),
    api.get('/v1/reports/gaps', query(f, { limit: 100 })),
    api.get('/v1/reports/projects', query(f, { by: 'status' })),
  ]);
  if (!ctx.alive()) return;
  clear(view);
  const region = byDistrict.region ? ['province', 'city', 'district'].map((k) => byDistrict.region[k]).filter(Boolean).join('') : '';
  const onChange = (name, value) => {
    const nf = { ...f, [name]: value };
    if (name === 'province') { nf.city = ''; nf.district = ''; }
    if (name === 'city') nf.district = '';
    setFilters(nf);
  };
  const period = ['from', 'to'].map((k) => h('label', null, k === 'from' ? '起' : '止',
    h('input', { type: 'month', id: `f-${k}`, value: f[k] || '', onchange: (e) => setFilters({ ...f, [k]: e.target.value }) })));
  const tot = byDistrict.total;
  view.append(
    pageHeader('跟踪监测', region ? `管辖地区：${region}（数据仅含本地区企业）` : '全部建档企业的数字化水平、评估与改造进展',
      h('a', { class: 'btn', href: `#/monitor/print?${qs(query(f))}`, id: 'print-report' }, '打印月报')),
    h('div', { class: 'filters no-print', id: 'monitor-filters' }, regionSelect(withRegion(f, byDistrict.region), onChange), period),
    h('div', { class: 'kpis' },
      kpi('建档企业', tot.filed), kpi('已评估', tot.assessed), kpi('已核验', tot.verified),
      kpi('二级及以上', tot.level_2_plus), kpi('二级及以上占比', pct(tot.share_level_2_plus), 'kpi-share'),
      kpi('目标', pct(tot.target))),
    h('div', { class: 'chart-grid' },
      chartBox('chart-district', '各区县数字化水平分布'), chartBox('chart-levels', '水平结构'),
      chartBox('chart-trend', '按月趋势')),
    section('按区县', byDistrict, '/v1/reports/levels', query(f, { by: 'district' }), 'levels-district', 'table-district'),
    section('按行业', byIndustry, '/v1/reports/levels', query(f, { by: 'industry' }), 'levels-industry', 'table-industry'),
    section('水平变动', movement, '/v1/reports/movement', query(f), 'movement', 'table-movement'),
    section('项目实施', projects, '/v1/reports/projects', query(f, { by: 'status' }), 'projects', 'table-projects'),
    section('集采成效', campaigns, '/v1/reports/campaigns', query(f), 'campaigns', 'table-campaigns'),
    section('供给缺口', gaps, '/v1/reports/gaps', query(f, { limit: 100 }), 'supply-gaps', 'table-gaps'),
    h('div', { class: 'card no-print' }, h('h3', null, '名录导出'),
      exportButtons('/v1/enterprises', query(f), 'enterprises'), ' 企业档案 ',
      exportButtons('/v1/needs', {}, 'needs'), ' 需求 ',
      exportButtons('/v1/projects', {}, 'project-list'), ' 项目 '));
  await drawCharts(byDistrict, byMonth);
}

// The filters as shown: an authority's own province and city are chosen
// already (its reports are cut to them whatever is sent).
function withRegion(f, region) {
  if (!region) return f;
  const out = { ...f };
  for (const k of ['province', 'city', 'district']) if (!out[k] && region[k]) out[k] = region[k];
  return out;
}

function kpi(label, value, id) {
  return h('div', { class: 'kpi', id: id || null }, h('div', { class: 'kpi-value' }, String(value ?? '—')), h('div', { class: 'kpi-label' }, label));
}

function section(title, doc, path, q, stem, id) {
  return h('div', { class: 'card report-section' },
    h('div', { class: 'section-head' }, h('h3', null, title), exportButtons(path, q, stem)),
    doc.rows.length ? reportTable(doc, id) : emptyState('暂无数据'));
}

// The monthly report: the month asked for (default the last whole month),
// on A4 pages, printed with the browser's print dialog.
export async function monitorPrintPage(view, params, ctx) {
  const f = filtersFromHash();
  const now = new Date();
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const month = f.to || `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
  const q = { ...query(f), from: month, to: month };
  const [byDistrict, byIndustry, movement, projects] = await Promise.all([
    api.get('/v1/reports/levels', { ...q, by: 'district' }),
    api.get('/v1/reports/levels', { ...q, by: 'industry' }),
    api.get('/v1/reports/movement', q),
    api.get('/v1/reports/projects', { ...q, by: 'status' }),
  ]);
  if (!ctx.alive()) return;
  document.body.classList.add('print-mode');
  const region = byDistrict.region ? ['province', 'city', 'district'].map((k) => byDistrict.region[k]).filter(Boolean).join('') : '';
  const tot = byDistrict.total;
  view.append(h('article', { class: 'monthly-report', id: 'monthly-report' },
    h('div', { class: 'no-print report-actions' },
      h('button', { class: 'btn', type: 'button', id: 'do-print', onclick: () => window.print() }, '打印 / 存为 PDF'),
      h('a', { class: 'btn btn-secondary', href: '#/monitor', onclick: () => document.body.classList.remove('print-mode') }, '返回监测')),
    h('h1', null, `${region || ''}制造业数字化转型跟踪监测月报`),
    h('p', { class: 'report-meta' }, `统计月份：${month}　　生成时间：${byDistrict.generated_at.slice(0, 10)}`),
    h('h2', null, '一、总体情况'),
    h('p', null, `截至本月，建档企业 ${tot.filed} 家，已评估 ${tot.assessed} 家，已核验 ${tot.verified} 家；`
      + `其中二级及以上 ${tot.level_2_plus} 家，占已核验企业的 ${pct(tot.share_level_2_plus)}`
      + (tot.target !== null ? `，目标 ${pct(tot.target)}。` : '。')),
    h('p', null, `本月水平上升 ${movement.summary.up} 家，不变 ${movement.summary.same} 家，下降 ${movement.summary.down} 家，首次核验 ${movement.summary.first_verified} 家。`),
    h('h2', null, '二、分区县情况'), reportTable(byDistrict, 'print-district'),
    h('h2', null, '三、分行业情况'), reportTable(byIndustry, 'print-industry'),
    h('h2', null, '四、水平变动'), reportTable(movement, 'print-movement'),
    h('h2', null, '五、项目实施'),
    h('p', null, `本月新签约项目 ${projects.summary.projects} 个，合同金额 ${projects.summary.amount.toLocaleString('zh-CN')} 元；`
      + `已验收 ${projects.summary.accepted} 个，其中验收后达到二级及以上 ${projects.summary.reached_level_2} 个。`),
    projects.rows.length ? reportTable(projects, 'print-projects') : h('p', null, '本月无新签约项目。')));
}
