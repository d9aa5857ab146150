// cases.js - 优秀案例 (issue 19): the public case library with its Chinese
// search, one case's page (what was solved, how, at what cost and in how
// long, the verified levels and figures before and after, the enterprise's
// words), the cases and verified outcomes the resource page shows, and
// for centers the 案例集 export (a selection of cases as a printable HTML
// page or a PDF, printed by the server).

import { api, getKey } from './api.js';
import {
  h, clear, add, badge, money, dateText, pageHeader, toast, emptyState, loading, canRole,
  levelText, nameOf, debounce, hashQuery, replaceHashQuery, chips,
} from './ui.js';

function levelOr(n) {
  return n === null || n === undefined ? '—' : (n === 0 ? '未达一级' : levelText(n));
}

function caseFacts(c) {
  return h('div', { class: 'case-facts' },
    h('div', { class: 'fact' }, h('span', null, '数字化水平'), h('b', null, `${levelOr(c.level_before)} → ${levelOr(c.level_after)}`)),
    h('div', { class: 'fact' }, h('span', null, '实施周期'), h('b', null, c.duration_days === null || c.duration_days === undefined ? '—' : c.duration_days === 0 ? '不足 1 天' : `${c.duration_days} 天`)),
    h('div', { class: 'fact' }, h('span', null, '投入'), h('b', null, money(c.cost && c.cost.amount))),
    h('div', { class: 'fact' }, h('span', null, '场景提升'), h('b', null, c.step_gain === null || c.step_gain === undefined ? '—' : `${c.step_gain} 级`)));
}

export function caseCard(c, selectable) {
  const box = selectable ? h('input', { type: 'checkbox', class: 'case-pick', value: c.id, 'aria-label': `选择 ${c.title}` }) : null;
  return h('article', { class: 'card case-card', 'data-id': c.id },
    h('div', { class: 'case-head' }, box, badge('优秀案例', 'kind kind-case'),
      h('a', { class: 'case-title', href: `#/cases/${encodeURIComponent(c.id)}` }, c.title)),
    h('p', { class: 'case-problem' }, c.problem),
    caseFacts(c),
    h('div', { class: 'muted small' }, c.enterprise.name, ' · 方案：', c.resource.title, ' · ', c.provider.name));
}

export async function casesPage(view, params, ctx) {
  const q0 = hashQuery().get('q') || '';
  const input = h('input', { type: 'search', id: 'cases-q', placeholder: '搜索案例：如 视觉质检、排产、能耗', value: q0, 'aria-label': '搜索案例' });
  const meta = h('div', { class: 'results-meta', id: 'cases-meta' });
  const list = h('div', { class: 'case-list', id: 'case-list' });
  const center = canRole('center', 'admin');
  const exportBar = center ? h('div', { class: 'export-bar', id: 'export-bar' },
    h('span', { class: 'muted small' }, '勾选案例后导出案例集：'),
    h('input', { id: 'export-title', value: '优秀案例集', maxlength: 100, 'aria-label': '案例集标题' }),
    h('button', { class: 'btn btn-small', type: 'button', id: 'export-html', onclick: () => exportCases('html') }, '打印版（HTML）'),
    h('button', { class: 'btn btn-small btn-primary', type: 'button', id: 'export-pdf', onclick: () => exportCases('pdf') }, '下载 PDF')) : null;
  add(view, pageHeader('优秀案例库', '经验收、核验的数字化改造项目：解决了什么、用了什么、花了多少、效果如何。'),
    h('div', { class: 'searchbar' }, input), exportBar, meta, list);
  let seq = 0;
  async function run() {
    const my = ++seq;
    const params2 = new URLSearchParams();
    if (input.value.trim()) params2.set('q', input.value.trim());
    replaceHashQuery('/cases', params2);
    clear(list).append(loading());
    try {
      const res = await api.get('/v1/cases', { q: input.value.trim() || undefined, limit: 50 });
      if (my !== seq || !ctx.alive()) return;
      clear(list);
      add(clear(meta), h('span', null, '共 ', h('strong', { id: 'cases-total' }, String(res.total)), ' 个案例'),
        res.relaxed ? h('span', { class: 'muted' }, '（没有同时包含全部关键词的案例，已放宽）') : null);
      if (!res.items.length) list.append(emptyState('没有找到案例', '换个说法试试。'));
      for (const c of res.items) list.append(caseCard(c, center));
    } catch (err) {
      if (my === seq && ctx.alive()) clear(list).append(h('p', { class: 'muted' }, err.message));
    }
  }
  input.addEventListener('input', debounce(run, 250));
  await run();
}

// The selected cases as a 案例集: HTML opens in a new tab to print, PDF
// downloads.  Fetched with the caller's credentials (a key or the session
// cookie), then handed to the browser as a blob.
async function exportCases(format) {
  const ids = [...document.querySelectorAll('.case-pick:checked')].map((x) => x.value);
  if (!ids.length) { toast('请先勾选要导出的案例', 'error'); return; }
  const title = (document.getElementById('export-title') || {}).value || '优秀案例集';
  const btn = document.getElementById(`export-${format}`);
  btn.disabled = true;
  const old = btn.textContent;
  btn.textContent = format === 'pdf' ? '正在生成 PDF…' : '正在生成…';
  try {
    const headers = { 'Accept-Language': 'zh-CN' };
    const key = getKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    const url = `/v1/cases:export?format=${format}&ids=${encodeURIComponent(ids.join(','))}&title=${encodeURIComponent(title)}`;
    const resp = await fetch(url, { headers, credentials: 'same-origin' });
    if (!resp.ok) {
      const body = await resp.json().catch(() => ({}));
      throw new Error((body.error && body.error.message) || `导出失败（HTTP ${resp.status}）`);
    }
    const blob = await resp.blob();
    const href = URL.createObjectURL(blob);
    if (format === 'pdf') {
      const a = h('a', { href, download: `${title}.pdf`, id: 'export-link' });
      document.body.append(a);
      a.click();
      a.remove();
      toast(`已生成 PDF（${ids.length} 个案例）`, 'success');
    } else {
      window.open(href, '_blank', 'noopener');
    }
  } catch (err) {
    toast(err.message, 'error');
  } finally {
    btn.disabled = false;
    btn.textContent = old;
  }
}

export async function casePage(view, [id], ctx) {
  view.append(loading());
  const c = await api.get(`/v1/cases/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  clear(view);
  const figs = c.figures || [];
  add(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/cases' }, '优秀案例库'), ' / 案例'),
    pageHeader(c.title, `${c.enterprise.name}${c.industry ? ' · ' + nameOf('industry', c.industry) : ''}`),
    c.status === 'withdrawn' ? h('div', { class: 'alert' }, '该案例已撤下，仅数促中心可见。') : null,
    caseFacts(c),
    h('div', { class: 'two-col' },
      h('div', null,
        h('section', { class: 'card' }, h('h3', null, '企业面临的问题'), h('p', { class: 'prose', id: 'case-problem' }, c.problem)),
        h('section', { class: 'card' }, h('h3', null, '解决方案'), h('p', { class: 'prose' }, c.solution)),
        figs.length ? h('section', { class: 'card' }, h('h3', null, '数字化成效（核验数据）'), h('table', { class: 'table', id: 'case-figures' },
          h('thead', null, h('tr', null, h('th', null, '指标'), h('th', null, '数据项'), h('th', null, '改造前'), h('th', null, '改造后'))),
          h('tbody', null, figs.map((f) => h('tr', null, h('td', null, f.name), h('td', null, `${f.label || f.figure}${f.unit ? `（${f.unit}）` : ''}`),
            h('td', { class: 'num' }, f.before ?? '—'), h('td', { class: 'num' }, f.after ?? '—')))))) : null,
        (c.scenes || []).length ? h('section', { class: 'card' }, h('h3', null, '场景等级变化'),
          h('table', { class: 'table' }, h('tbody', null, c.scenes.map((s) => h('tr', null, h('td', null, s.name), h('td', { class: 'num' }, `${s.before} 级 → ${s.after} 级`)))))) : null,
        c.quote ? h('blockquote', { class: 'case-quote', id: 'case-quote' }, `“${c.quote}”`, h('footer', null, `—— ${c.enterprise.name}`)) : null),
      h('aside', null,
        h('section', { class: 'card' }, h('h3', null, '方案与服务商'),
          h('dl', { class: 'kv' },
            h('dt', null, '方案'), h('dd', null, h('a', { href: `#/resources/${encodeURIComponent(c.resource.id)}`, id: 'case-resource' }, c.resource.title)),
            h('dt', null, '服务商'), h('dd', null, c.provider.name),
            h('dt', null, '场景'), h('dd', null, chips('scenario', c.scenarios || [])),
            h('dt', null, '投入'), h('dd', null, money(c.cost && c.cost.amount)),
            h('dt', null, '验收'), h('dd', null, dateText(c.accepted_at)),
            h('dt', null, '发布'), h('dd', null, dateText(c.published_at)))),
        costBreakdown(c))));
}

const COST_TEXT = {
  software: '软件', cloud: '云服务', hardware: '数据采集硬件', integration: '集成服务', training: '培训', other: '其他',
};

function costBreakdown(c) {
  const by = (c.cost && c.cost.by_type) || {};
  const rows = Object.entries(by);
  if (!rows.length) return null;
  return h('section', { class: 'card' }, h('h3', null, '投入构成'),
    h('table', { class: 'table' }, h('tbody', null, rows.map(([t, v]) => h('tr', null, h('td', null, COST_TEXT[t] || t), h('td', { class: 'num' }, money(v)))))));
}

// Hours as a person reads them: minutes under an hour.
export function hoursText(h) {
  if (h === null || h === undefined) return '—';
  if (h < 1) return h * 60 < 1 ? '不到 1 分钟' : `${Math.round(h * 60)} 分钟`;
  return `${h} 小时`;
}

// The resource page's verified outcomes and cases (GET …/outcomes).
export function outcomesCards(resourceId, ctx) {
  const box = h('div', { id: 'resource-outcomes-box' });
  api.get(`/v1/resources/${encodeURIComponent(resourceId)}/outcomes`).then((o) => {
    if (!ctx.alive()) return;
    const fig = (x) => {
      const rows = [
        ['验收项目', `${x.projects_accepted} 个`],
        ['按期上线', x.on_time_share === null ? '—' : `${Math.round(x.on_time_share * 100)}%`],
        ['平均水平提升', x.avg_level_uplift === null ? '—' : `${x.avg_level_uplift} 级`],
        ['平均场景提升', x.avg_scene_step_gain === null ? '—' : `${x.avg_scene_step_gain} 级`],
        ['工单首次响应', hoursText(x.ticket_response_hours)],
      ];
      return h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
    };
    add(box,
      h('section', { class: 'card', id: 'resource-outcomes' }, h('h3', null, '实施成效（核验）'),
        o.outcomes.projects_accepted ? fig(o.outcomes) : h('p', { class: 'muted' }, '该资源还没有经验收的项目。'),
        h('h4', null, `服务商整体（${o.provider.name}）`), fig(o.provider.outcomes),
        h('p', { class: 'muted small' }, '数据来自经企业与数促中心签收、并经复评核验的项目，是资源匹配排序的质量依据。')),
      h('section', { class: 'card', id: 'resource-cases' }, h('h3', null, `优秀案例（${o.cases.total}）`),
        o.cases.items.length
          ? h('ul', { class: 'plain-list' }, o.cases.items.map((c) => h('li', null,
            h('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, c.title),
            h('span', { class: 'muted small' }, ` · ${c.enterprise.name} · ${levelOr(c.level_before)} → ${levelOr(c.level_after)}`))))
          : h('p', { class: 'muted' }, '暂无已发布的案例')));
  }).catch(() => { /* optional on this page */ });
  return box;
}
