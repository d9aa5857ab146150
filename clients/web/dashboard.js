// dashboard.js - 数据看板 for centers and admins: GET /v1/stats drawn with
// Apache ECharts (vendor/echarts.min.js, copied there by `make`, loaded on
// first visit so other pages do not pay for it).
//
// The contract fixes what /v1/stats counts (by industry, scenario, region,
// kind, status) but not the exact nesting, so readCounts() accepts the
// shapes a server is likely to send: {needs: {by_industry: {code: n}}},
// {needs: {industry: […]}}, {needs_by_industry: …}, arrays of
// {code|key|…, count|n|value}.  Level uplift, when /v1/stats does not carry
// it, is computed from the campaigns' participants.  A missing route shows
// an empty state.

import { api } from './api.js';
import {
  h, clear, nameOf, pageHeader, emptyState, errorBox, loading, canRole, levelText,
  CAMPAIGN_STATUS, PARTICIPANT_STATUS,
} from './ui.js';

const COLORS = ['#1d4ed8', '#0d9488', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#65a30d', '#db2777', '#475569'];
let charts = [];

// ECharts, loaded once (also by scorecard.js for its radar).
export function loadEcharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = 'vendor/echarts.min.js';
    s.onload = () => (window.echarts ? resolve(window.echarts) : reject(new Error('ECharts 未能加载')));
    s.onerror = () => { s.remove(); reject(new Error('图表库未安装：请在仓库根目录运行 make（会把 ECharts 复制到 clients/web/vendor/）')); };
    document.head.appendChild(s);
  });
}

// A {code: n} object from any of the count shapes above.
export function toCounts(x) {
  const out = {};
  if (!x) return out;
  if (Array.isArray(x)) {
    for (const it of x) {
      if (!it || typeof it !== 'object') continue;
      const k = it.code ?? it.key ?? it.industry ?? it.scenario ?? it.kind ?? it.status ?? it.region ?? it.name ?? it.level;
      const v = it.count ?? it.n ?? it.value ?? it.total;
      if (k !== undefined && typeof v === 'number') out[k] = v;
    }
  } else if (typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (typeof v === 'number') out[k] = v;
      else if (v && typeof v === 'object') {
        const n = v.total ?? v.count ?? v.open ?? Object.values(v).filter((y) => typeof y === 'number').reduce((a, b) => a + b, 0);
        if (typeof n === 'number') out[k] = n;
      }
    }
  }
  return out;
}

export function readCounts(stats, entity, dim) {
  const e = stats[entity] || stats[entity + 's'] || {};
  const cands = [
    e[`by_${dim}`], e[dim], e[dim + 's'], stats[`${entity}_by_${dim}`], (stats[`by_${dim}`] || {})[entity],
    (stats[dim] || {})[entity],
  ];
  for (const c of cands) {
    if (c && (Array.isArray(c) ? c.length : typeof c === 'object')) return toCounts(c);
  }
  return {};
}

function total(stats, entity, counts) {
  const e = stats[entity] || {};
  if (typeof e === 'number') return e;
  if (typeof e.total === 'number') return e.total;
  if (typeof e.published === 'number') return e.published;
  if (typeof e.count === 'number') return e.count;
  if (typeof stats[`${entity}_total`] === 'number') return stats[`${entity}_total`];
  const vals = Object.values(counts || {});
  return vals.length ? vals.reduce((a, b) => a + b, 0) : null;
}

// Supply gaps as [{scenario, needs, resources}].
function readGaps(stats) {
  const g = stats.gaps || stats.supply_gaps || (stats.needs && stats.needs.gaps);
  if (Array.isArray(g) && g.length) {
    return g.map((x) => ({
      scenario: x.scenario ?? x.code ?? x.key,
      needs: x.open_needs ?? x.needs ?? 0,
      resources: x.resources ?? x.supply ?? 0,
    }));
  }
  if (g && typeof g === 'object' && !Array.isArray(g) && Object.keys(g).length) {
    return Object.entries(g).map(([k, v]) => ({ scenario: k, needs: v.open_needs ?? v.needs ?? 0, resources: v.resources ?? 0 }));
  }
  const n = stats.needs || {};
  const open = toCounts(n.open_by_scenario);
  const needs = Object.keys(open).length ? open : readCounts(stats, 'needs', 'scenario');
  const res = readCounts(stats, 'resources', 'scenario');
  const keys = new Set([...Object.keys(needs), ...Object.keys(res)]);
  return [...keys].map((k) => ({ scenario: k, needs: needs[k] || 0, resources: res[k] || 0 }));
}

// Level uplift as [{from, to, count}].
export function readUplift(stats) {
  const c = stats.campaigns || {};
  const u = c.level_uplift ?? c.levels ?? stats.level_uplift ?? stats.uplift;
  if (!u) return null;
  const out = [];
  if (Array.isArray(u)) {
    for (const x of u) {
      const from = x.from ?? x.level_before ?? x.before;
      const to = x.to ?? x.level_after ?? x.after;
      const n = x.count ?? x.n ?? x.value;
      if (from !== undefined && to !== undefined && typeof n === 'number') out.push({ from: Number(from), to: Number(to), count: n });
    }
  } else if (typeof u === 'object') {
    for (const [k, v] of Object.entries(u)) {
      const m = k.match(/^(\d)\D+(\d)$/);
      if (m && typeof v === 'number') out.push({ from: Number(m[1]), to: Number(m[2]), count: v });
      else if (/^\d$/.test(k) && v && typeof v === 'object') {
        for (const [k2, n] of Object.entries(v)) if (typeof n === 'number') out.push({ from: Number(k), to: Number(k2), count: n });
      }
    }
  }
  return out;
}

async function upliftFromCampaigns() {
  const res = await api.get('/v1/campaigns', { limit: 50 });
  const items = (res && (res.items || res.campaigns)) || [];
  const counts = new Map();
  const details = await Promise.all(items.slice(0, 30).map((c) =>
    (c.participants && c.participants.list ? Promise.resolve(c) : api.get(`/v1/campaigns/${encodeURIComponent(c.id)}`).catch(() => null))));
  for (const c of details) {
    for (const p of (c && c.participants && c.participants.list) || []) {
      if (!p.level_before || !p.level_after) continue;
      const k = `${p.level_before}-${p.level_after}`;
      counts.set(k, (counts.get(k) || 0) + 1);
    }
  }
  return [...counts].map(([k, n]) => { const [a, b] = k.split('-'); return { from: +a, to: +b, count: n }; });
}

function chartCard(id, title, sub) {
  const body = h('div', { class: 'chart', id });
  return { card: h('section', { class: 'card chart-card', 'data-chart': id }, h('h3', null, title), sub ? h('p', { class: 'muted small' }, sub) : null, body), body };
}

function draw(echarts, el, option) {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({ color: COLORS, textStyle: { fontFamily: 'inherit' }, animation: false, ...option });
  charts.push(chart);
  return chart;
}

function sortedEntries(counts, kind, limit = 20) {
  return Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).slice(0, limit)
    .map(([k, n]) => [kind ? nameOf(kind, k) : k, n]);
}

export async function dashboardPage(view, params, ctx) {
  charts.forEach((c) => c.dispose());
  charts = [];
  if (!canRole('center', 'admin')) {
    view.append(pageHeader('数据看板'), emptyState('数据看板仅对数促中心和管理员开放', null, h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  view.append(pageHeader('数据看板', '需求分布、供需缺口、集采成效与数字化水平提升。'));
  const body = h('div', { id: 'dashboard' }, loading());
  view.append(body);
  let stats;
  try {
    stats = await api.get('/v1/stats');
  } catch (err) {
    if (!ctx.alive()) return;
    clear(body).append(err.missingRoute || err.status === 404
      ? emptyState('统计接口尚未上线', '服务器暂未提供 /v1/stats，上线后此页面自动显示图表。')
      : errorBox(err, () => ctx.rerender()));
    return;
  }
  let echarts;
  try {
    echarts = await loadEcharts();
  } catch (err) {
    if (ctx.alive()) clear(body).append(errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  clear(body);

  const needInd = readCounts(stats, 'needs', 'industry');
  const needScn = readCounts(stats, 'needs', 'scenario');
  const resKind = readCounts(stats, 'resources', 'kind');
  const campStatus = readCounts(stats, 'campaigns', 'status');
  const gaps = readGaps(stats).filter((g) => g.needs || g.resources)
    .sort((a, b) => (b.needs - b.resources) - (a.needs - a.resources) || b.needs - a.needs).slice(0, 12);
  let uplift = readUplift(stats);
  if (!uplift || !uplift.length) {
    try { uplift = await upliftFromCampaigns(); } catch { uplift = []; }
    if (!ctx.alive()) return;
  }

  const kpi = (label, value, id) => h('div', { class: 'stat', id }, h('strong', null, value === null || value === undefined ? '—' : String(value)), h('span', null, label));
  const camp = stats.campaigns || {};
  const parts = camp.participants || {};
  const partStatus = toCounts(parts.by_status);
  const partTotal = typeof parts.total === 'number' ? parts.total : (typeof parts === 'number' ? parts : null);
  const avgUplift = camp.avg_level_uplift ?? stats.avg_level_uplift ?? null;
  const reached = camp.reached_level_2 ?? null;
  const lifted = uplift.filter((u) => u.to > u.from).reduce((a, u) => a + u.count, 0);
  body.append(h('div', { class: 'stats-row kpis' },
    kpi('资源', total(stats, 'resources', resKind), 'kpi-resources'),
    kpi('需求', total(stats, 'needs', needInd), 'kpi-needs'),
    kpi('集采活动', total(stats, 'campaigns', campStatus), 'kpi-campaigns'),
    kpi('参与企业', partTotal, 'kpi-participants'),
    kpi('平均提升（级）', avgUplift, 'kpi-uplift'),
    kpi('达到二级及以上', reached ?? lifted, 'kpi-reached')));

  const grid = h('div', { class: 'chart-grid' });
  body.append(grid);
  const axisLabel = { interval: 0, rotate: 30, fontSize: 11 };
  const grid0 = { left: 16, right: 16, top: 24, bottom: 8, containLabel: true };
  const cards = [];

  const c1 = chartCard('chart-needs-industry', '需求行业分布');
  cards.push([c1, () => {
    const e = sortedEntries(needInd, 'industry');
    if (!e.length) return false;
    draw(echarts, c1.body, {
      tooltip: { trigger: 'axis' }, grid: grid0,
      xAxis: { type: 'category', data: e.map((x) => x[0]), axisLabel }, yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: '需求数', data: e.map((x) => x[1]), barMaxWidth: 36, itemStyle: { borderRadius: [4, 4, 0, 0] } }],
    });
    return true;
  }]);

  const c2 = chartCard('chart-needs-scenario', '需求场景分布');
  cards.push([c2, () => {
    const e = sortedEntries(needScn, 'scenario', 12).reverse();
    if (!e.length) return false;
    draw(echarts, c2.body, {
      tooltip: { trigger: 'axis' }, grid: { left: 16, right: 24, top: 16, bottom: 24, containLabel: true },
      yAxis: { type: 'category', data: e.map((x) => x[0]) }, xAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: '需求数', data: e.map((x) => x[1]), barMaxWidth: 22, itemStyle: { color: COLORS[1], borderRadius: [0, 4, 4, 0] } }],
    });
    return true;
  }]);

  const c3 = chartCard('chart-gaps', '供需缺口', '各场景的开放需求（左轴）与资源（右轴）；需求多而资源少的场景最需要引入服务商。');
  cards.push([c3, () => {
    if (!gaps.length) return false;
    draw(echarts, c3.body, {
      tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { ...grid0, top: 36 },
      xAxis: { type: 'category', data: gaps.map((g) => nameOf('scenario', g.scenario)), axisLabel },
      // Needs and resources differ by an order of magnitude: one axis each.
      yAxis: [
        { type: 'value', name: '开放需求', minInterval: 1, nameTextStyle: { color: COLORS[3] } },
        { type: 'value', name: '资源', minInterval: 1, nameTextStyle: { color: COLORS[0] }, splitLine: { show: false } },
      ],
      series: [
        { type: 'bar', name: '开放需求', data: gaps.map((g) => g.needs), barMaxWidth: 24, itemStyle: { color: COLORS[3] } },
        { type: 'bar', name: '资源', yAxisIndex: 1, data: gaps.map((g) => g.resources), barMaxWidth: 24, itemStyle: { color: COLORS[0] } },
      ],
    });
    return true;
  }]);

  const c4 = chartCard('chart-campaigns', '集采结果');
  cards.push([c4, () => {
    const e = Object.entries(campStatus).filter(([, n]) => n > 0);
    if (!e.length) return false;
    draw(echarts, c4.body, {
      tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' }, legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['40%', '68%'], center: ['50%', '45%'], data: e.map(([k, n]) => ({ name: CAMPAIGN_STATUS[k] || k, value: n })), label: { formatter: '{b} {c}' } }],
    });
    return true;
  }]);

  const c4b = chartCard('chart-participants', '改造进度', '参加集采企业所处阶段（报名 → 签约 → 实施 → 验收）。');
  cards.push([c4b, () => {
    const order = ['joined', 'contracted', 'implementing', 'accepted', 'withdrawn'];
    if (!Object.values(partStatus).some((n) => n > 0)) return false;
    draw(echarts, c4b.body, {
      tooltip: { trigger: 'axis' }, grid: { ...grid0, bottom: 24 },
      xAxis: { type: 'category', data: order.map((k) => PARTICIPANT_STATUS[k]) }, yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: '企业数', data: order.map((k) => partStatus[k] || 0), barMaxWidth: 36, itemStyle: { color: COLORS[4], borderRadius: [4, 4, 0, 0] } }],
    });
    return true;
  }]);

  const c5 = chartCard('chart-uplift', '数字化水平提升', '参加集采企业改造前后的水平（按企业数）。');
  cards.push([c5, () => {
    if (!uplift.length) return false;
    const before = [1, 2, 3, 4].map((l) => uplift.filter((u) => u.from === l).reduce((a, u) => a + u.count, 0));
    const after = [1, 2, 3, 4].map((l) => uplift.filter((u) => u.to === l).reduce((a, u) => a + u.count, 0));
    draw(echarts, c5.body, {
      tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { ...grid0, top: 36, bottom: 24 },
      xAxis: { type: 'category', data: [1, 2, 3, 4].map((l) => levelText(l)) }, yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'bar', name: '改造前', data: before, barMaxWidth: 28, itemStyle: { color: '#94a3b8' } },
        { type: 'bar', name: '改造后', data: after, barMaxWidth: 28, itemStyle: { color: COLORS[6] } },
      ],
    });
    return true;
  }]);

  const resInd = readCounts(stats, 'resources', 'industry');
  if (Object.keys(resKind).length || Object.keys(resInd).length) {
    const c6 = chartCard('chart-resources', '资源池构成（按类型）');
    cards.push([c6, () => {
      const e = sortedEntries(resKind, 'kind');
      if (!e.length) return false;
      draw(echarts, c6.body, {
        tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' }, legend: { bottom: 0 },
        series: [{ type: 'pie', radius: '62%', center: ['50%', '45%'], data: e.map(([k, n]) => ({ name: k, value: n })) }],
      });
      return true;
    }]);
  }

  for (const [c] of cards) grid.append(c.card);
  for (const [c, fn] of cards) {
    if (!fn()) {
      c.body.classList.add('chart-empty');
      c.body.append(emptyState('暂无数据'));
    }
  }
  const onResize = () => charts.forEach((c) => c.resize());
  window.addEventListener('resize', onResize);
  const stop = () => {
    if (ctx.alive()) return;
    window.removeEventListener('resize', onResize);
    window.removeEventListener('hashchange', stop);
    charts.forEach((c) => c.dispose());
    charts = [];
  };
  window.addEventListener('hashchange', stop);
}
