// needs.js - 发布需求 → 匹配结果, 我的需求 / 需求大厅, and the need page:
// ranked matches whose explain parts are drawn as bars, the providers'
// responses with 接受 (which reveals the contact to that provider), and for
// providers a form to respond.
//
// Explain bars share one scale: a bar's full width is the largest default
// weight (text, 0.30), its pale track shows the most that part can give
// (its weight) and its fill the points the resource earned, so bars compare
// across parts and across matches.

import { api, listAll } from './api.js';
import { projectForResponse } from './projects.js';
import {
  state, h, clear, nameOf, priceText, chips, badge, levelText, dateText, money, pageHeader, field,
  select, levelOptions, codeChecks, checkedValues, num, formError, toast, emptyState, errorBox,
  loading, canRole, hashQuery, STATUS_TEXT, ratingView,
} from './ui.js';

export const EXPLAIN_PARTS = [
  ['text', '文本', 0.30], ['industry', '行业', 0.20], ['scenario', '场景', 0.20], ['level', '水平', 0.08],
  ['budget', '预算', 0.08], ['region', '地区', 0.05], ['quality', '质量', 0.05], ['fit', '适配', 0.04],
];
const BAR_SCALE = 0.30;

// A match's score.  The contract makes it exactly the sum of the explain
// parts, so with an explain the sum is used (it is also what the bars show).
export function scoreOf(m) {
  const ex = m.explain;
  if (!ex) return Number(m.score) || 0;
  let sum = 0;
  for (const [k] of EXPLAIN_PARTS) sum += Number(ex[k]) || 0;
  return Math.round(sum * 10000) / 10000;
}

export async function needFormPage(view, params, ctx) {
  if (!canRole('enterprise')) {
    view.append(pageHeader('发布需求'), emptyState('只有企业账号可以发布需求', '请用企业的 API 密钥登录。', h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  const tax = state.tax;
  const pre = hashQuery();
  const preScen = (pre.get('scenarios') || '').split(',').filter(Boolean);
  const form = h('form', { class: 'card form', id: 'need-form', novalidate: true },
    h('div', { class: 'grid-2' },
      field('需求标题 *', h('input', { name: 'title', maxlength: 120, required: true, placeholder: '例：注塑件外观质检想换成机器视觉' })),
      field('所属行业 *', select('industry', [['', '请选择'], ...tax.industries.filter((x) => x.code !== 'general').map((x) => [x.code, x.name])], pre.get('industry') || '', { required: true }))),
    field('需求描述', h('textarea', { name: 'description', rows: 5, maxlength: 20000, placeholder: '现状、痛点、希望达到的效果、已有系统……用自己的话写即可' })),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '改造场景 *（可多选）'), codeChecks('scenarios', 'scenario', preScen)),
    h('div', { class: 'grid-3' },
      field('所在地区', select('region', [['', '请选择'], ...tax.regions.filter((r) => r !== '全国').map((r) => [r, r])], '湖北省')),
      field('预算上限（元）', h('input', { name: 'budget.max', type: 'number', min: 0, step: 1000, placeholder: '例：200000' })),
      field('企业规模', select('enterprise_size', [['', '未填写'], ...tax.enterprise_sizes.map((x) => [x.code, x.name])], ''))),
    h('div', { class: 'grid-3' },
      field('当前数字化水平', select('current_level', levelOptions(), '')),
      field('目标水平', select('target_level', levelOptions(), '')),
      field('期望完成日期', h('input', { name: 'deadline', type: 'date' }))),
    h('fieldset', { class: 'fieldset' }, h('legend', null, '联系方式（仅您接受响应的服务商和数促中心可见）'),
      h('div', { class: 'grid-3' },
        field('联系人', h('input', { name: 'contact.name', maxlength: 60 })),
        field('电话', h('input', { name: 'contact.phone', maxlength: 32, inputmode: 'tel' })),
        field('邮箱', h('input', { name: 'contact.email', type: 'email', maxlength: 120 })))),
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-primary', type: 'submit', id: 'need-submit' }, '发布并查看匹配'),
      h('a', { class: 'btn btn-ghost', href: '#/needs' }, '取消')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    const body = {
      title: v('title'), description: v('description') || undefined, industry: v('industry') || undefined,
      scenarios: checkedValues(form, 'scenarios'), region: v('region') || undefined,
      enterprise_size: v('enterprise_size') || undefined,
      current_level: num(v('current_level')), target_level: num(v('target_level')),
      deadline: v('deadline') || undefined,
    };
    if (v('budget.max')) body.budget = { max: num(v('budget.max')) };
    const contact = { name: v('contact.name') || undefined, phone: v('contact.phone') || undefined, email: v('contact.email') || undefined };
    if (contact.name || contact.phone || contact.email) body.contact = contact;
    const local = !body.title ? { message: '请填写需求标题', field: 'title' }
      : !body.industry ? { message: '请选择所属行业', field: 'industry' }
        : !body.scenarios.length ? { message: '请至少选择一个改造场景', field: 'scenarios' } : null;
    if (local) { formError(form, local); return; }
    const btn = form.querySelector('#need-submit');
    btn.disabled = true;
    try {
      const need = await api.post('/v1/needs', body);
      toast('需求已发布，正在为您匹配资源', 'success');
      location.hash = `#/needs/${encodeURIComponent(need.id)}`;
    } catch (err) {
      formError(form, err);
    } finally {
      btn.disabled = false;
    }
  });
  view.append(pageHeader('发布需求', '说清楚要解决的问题，平台按文本、行业、场景、水平、预算、地区等为您排序推荐资源，并说明理由。'), form);
  form.elements.title.focus();
}

export async function needsListPage(view, params, ctx) {
  if (!state.me) {
    view.append(pageHeader('需求'), emptyState('请先登录', '需求只对企业本身、服务商和数促中心可见。', h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  const ent = state.me.role === 'enterprise';
  const tax = state.tax;
  const filt = { status: ent ? 'all' : 'open', industry: '', scenario: '' };
  const list = h('div', { id: 'needs-list' });
  const more = h('div', { class: 'load-more' });
  const bar = h('div', { class: 'toolbar' },
    select('status', [['all', '全部状态'], ['open', '征集中'], ['matched', '已对接'], ['in_campaign', '集采中'], ['closed', '已关闭']], filt.status, { 'aria-label': '状态' }),
    ent ? null : select('industry', [['', '全部行业'], ...tax.industries.map((x) => [x.code, x.name])], '', { 'aria-label': '行业' }),
    ent ? null : select('scenario', [['', '全部场景'], ...tax.scenarios.map((x) => [x.code, x.name])], '', { 'aria-label': '场景' }));
  bar.addEventListener('change', (e) => { filt[e.target.name] = e.target.value; load(null); });
  view.append(
    pageHeader(ent ? '我的需求' : '需求大厅', ent ? '您发布的需求、匹配结果和服务商响应。' : '各企业发布的数字化改造需求（联系方式在企业接受您的响应后可见）。',
      ent ? h('a', { class: 'btn btn-primary', href: '#/needs/new' }, '发布需求') : null),
    bar, list, more);

  async function load(cursor) {
    if (!cursor) clear(list).append(loading());
    clear(more);
    try {
      const page = await api.get('/v1/needs', { ...filt, limit: 20, cursor });
      if (!ctx.alive()) return;
      if (!cursor) clear(list);
      if (!cursor && !page.items.length) {
        list.append(emptyState(ent ? '还没有发布需求' : '暂无符合条件的需求', null,
          ent ? h('a', { class: 'btn btn-primary', href: '#/needs/new' }, '发布第一个需求') : null));
      }
      for (const n of page.items) list.append(needRow(n));
      if (page.next_cursor) more.append(h('button', { class: 'btn', type: 'button', onclick: () => load(page.next_cursor) }, '加载更多'));
    } catch (err) {
      if (ctx.alive()) clear(list).append(errorBox(err, () => load(null)));
    }
  }
  await load(null);
}

function needRow(n) {
  return h('article', { class: 'card need-row', 'data-id': n.id },
    h('div', { class: 'need-row-main' },
      h('a', { class: 'hit-title', href: `#/needs/${encodeURIComponent(n.id)}` }, n.title),
      h('div', { class: 'hit-chips' }, badge(STATUS_TEXT[n.status] || n.status, `status-${n.status}`),
        h('span', { class: 'chip' }, nameOf('industry', n.industry)), chips('scenario', n.scenarios, 'chip-alt'))),
    h('div', { class: 'need-row-side muted' },
      h('div', null, n.enterprise ? n.enterprise.name : ''),
      h('div', null, [n.region, n.budget ? `预算 ${money(n.budget.max)}` : null].filter(Boolean).join(' · ')),
      h('div', null, dateText(n.created_at))));
}

export function needSummary(n) {
  const rows = [
    ['行业', nameOf('industry', n.industry)],
    ['场景', (n.scenarios || []).map((s) => nameOf('scenario', s)).join('、')],
    ['地区', n.region || '—'],
    ['预算上限', n.budget ? money(n.budget.max) : '—'],
    ['企业规模', n.enterprise_size ? nameOf('size', n.enterprise_size) : '—'],
    ['数字化水平', n.current_level ? `${levelText(n.current_level)}${n.target_level ? ' → ' + levelText(n.target_level) : ''}` : '—'],
    ['期望完成', n.deadline || '—'],
    ['发布企业', n.enterprise ? n.enterprise.name : '—'],
  ];
  if (n.contact) {
    rows.push(['联系方式', [n.contact.name, n.contact.phone, n.contact.email].filter(Boolean).join(' · ') || '—']);
  }
  return h('dl', { class: 'kv kv-wide' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

// The explain of one match as bars; exported for the provider's 商机 page.
export function explainBars(explain) {
  const box = h('div', { class: 'explain', role: 'list' });
  for (const [key, label, weight] of EXPLAIN_PARTS) {
    const v = Number(explain[key]) || 0;
    const track = Math.min(100, (weight / BAR_SCALE) * 100);
    const fill = Math.min(100, (v / BAR_SCALE) * 100);
    box.append(h('div', { class: 'explain-row', role: 'listitem', 'data-part': key, title: `${label}：${v.toFixed(3)}（满分 ${weight.toFixed(2)}）` },
      h('span', { class: 'explain-label' }, label),
      h('span', { class: 'explain-bar' },
        h('span', { class: 'explain-track', style: { width: `${track}%` } }),
        h('span', { class: `explain-fill part-${key}`, 'data-value': String(v), style: { width: `${fill}%` } })),
      h('span', { class: 'explain-value' }, v.toFixed(3))));
  }
  return box;
}

export function scoreBar(explain, score) {
  const bar = h('div', { class: 'scorebar', title: `匹配度 ${(score * 100).toFixed(1)}%` });
  for (const [key, label] of EXPLAIN_PARTS) {
    const v = Number(explain[key]) || 0;
    if (v > 0) bar.append(h('span', { class: `seg part-${key}`, style: { width: `${v * 100}%` }, title: `${label} ${v.toFixed(3)}` }));
  }
  return bar;
}

function matchCard(m, rank) {
  const r = m.resource || {};
  const ex = m.explain || {};
  const terms = ex.terms || [];
  const score = scoreOf(m);
  return h('article', { class: 'card match', 'data-id': r.id, 'data-score': String(score) },
    h('div', { class: 'match-head' },
      h('span', { class: 'rank' }, String(rank)),
      h('div', { class: 'match-title' },
        h('div', null, badge(nameOf('kind', r.kind), `kind kind-${r.kind}`), ' ',
          h('a', { class: 'hit-title', href: `#/resources/${encodeURIComponent(r.id)}` }, r.title)),
        h('div', { class: 'muted' }, r.provider ? r.provider.name : '', ' · ', priceText(r.price),
          r.levels ? ` · ${levelText(r.levels.from)} → ${levelText(r.levels.to)}` : '', ' · ', ratingView(r.rating))),
      h('div', { class: 'match-score' }, h('strong', null, `${Math.round(score * 100)}`), h('span', null, '匹配度'))),
    scoreBar(ex, score),
    r.summary ? h('p', { class: 'hit-summary' }, r.summary) : null,
    h('details', { class: 'why', open: rank <= 3 },
      h('summary', null, '为什么推荐'),
      explainBars(ex),
      h('div', { class: 'terms' }, '命中词：', terms.length ? terms.map((t) => h('span', { class: 'chip chip-term' }, t)) : h('span', { class: 'muted' }, '无（按行业、场景等结构化信息匹配）'))));
}

export async function needPage(view, [id], ctx) {
  view.append(loading());
  const need = await api.get(`/v1/needs/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  clear(view);
  const me = state.me;
  const owner = me && need.enterprise && me.org.id === need.enterprise.id;
  const seeMatches = owner || canRole('center', 'admin');
  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/needs' }, owner ? '我的需求' : '需求大厅'), ' / 需求详情'),
    pageHeader(need.title, null, badge(STATUS_TEXT[need.status] || need.status, `status-${need.status}`)),
    ...(owner && need.status === 'draft' ? [draftNotice(need, ctx)] : []),
    h('div', { class: 'two-col two-col-wide' },
      h('div', { id: 'need-main' }),
      h('aside', null,
        h('section', { class: 'card' }, h('h3', null, '需求信息'), needSummary(need),
          need.description ? h('div', { class: 'prose small' }, need.description) : null),
        h('section', { class: 'card', id: 'responses' }, h('h3', null, '服务商响应'), loading()))));
  const main = view.querySelector('#need-main');
  if (seeMatches) await drawMatches(main, need, ctx);
  else if (canRole('provider')) drawRespondForm(main, need, ctx);
  await drawResponses(view.querySelector('#responses'), need, owner, ctx);
}

// A need made from an assessment's gaps starts as a draft that only the
// enterprise and centers see: one click publishes it to providers.
function draftNotice(need, ctx) {
  const btn = h('button', { class: 'btn btn-small btn-primary', type: 'button', id: 'need-publish' }, '发布需求');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await api.patch(`/v1/needs/${encodeURIComponent(need.id)}`, { status: 'open' });
      toast('需求已发布，服务商现在可以看到并响应', 'success');
      ctx.rerender();
    } catch (err) {
      btn.disabled = false;
      toast(err.message, 'error');
    }
  });
  return h('div', { class: 'alert', id: 'need-draft' }, '这是由评估诊断生成的需求草稿，只有本企业和数促中心可见；确认内容后发布，服务商才能看到并响应。', btn);
}

async function drawMatches(main, need, ctx) {
  const kindSel = select('kind', [['', '全部类型'], ...state.tax.kinds.map((k) => [k.code, k.name])], '', { 'aria-label': '资源类型' });
  const list = h('div', { id: 'matches' });
  const meta = h('span', { class: 'muted' });
  main.append(h('section', null,
    h('div', { class: 'section-head' }, h('h2', null, '匹配结果'), h('div', { class: 'toolbar' }, meta, kindSel)),
    h('div', { class: 'legend' }, EXPLAIN_PARTS.map(([k, label]) => h('span', { class: 'legend-item' }, h('i', { class: `part-${k}` }), label))),
    list));
  async function load() {
    clear(list).append(loading('正在匹配…'));
    try {
      const res = await api.get(`/v1/needs/${encodeURIComponent(need.id)}/matches`, { explain: 1, limit: 10, kind: kindSel.value });
      if (!ctx.alive()) return;
      clear(list);
      meta.textContent = `${res.matches.length} 条 · 用时 ${Number(res.took_ms || 0).toFixed(1)} ms`;
      if (!res.matches.length) list.append(emptyState('暂时没有合适的资源', '可以放宽类型或补充描述。'));
      res.matches.forEach((m, i) => list.append(matchCard(m, i + 1)));
    } catch (err) {
      if (ctx.alive()) clear(list).append(errorBox(err, load));
    }
  }
  kindSel.addEventListener('change', load);
  await load();
}

async function drawResponses(box, need, owner, ctx) {
  let items;
  try {
    items = (await api.get(`/v1/needs/${encodeURIComponent(need.id)}/responses`)).items || [];
  } catch (err) {
    if (!ctx.alive()) return;
    clear(box).append(h('h3', null, '服务商响应'), err.status === 403 ? h('p', { class: 'muted' }, '仅需求企业、数促中心和响应的服务商可见。') : errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  clear(box).append(h('h3', null, `服务商响应（${items.length}）`));
  if (!items.length) box.append(h('p', { class: 'muted' }, owner ? '还没有服务商响应。服务商会在“商机”中看到您的需求。' : '暂无响应。'));
  for (const r of items) {
    const resLink = h('a', { href: `#/resources/${encodeURIComponent(r.resource_id)}` }, r.resource_id);
    api.get(`/v1/resources/${encodeURIComponent(r.resource_id)}`).then((res) => { resLink.textContent = res.title; }).catch(() => {});
    const row = h('div', { class: 'response', 'data-id': r.id },
      h('div', { class: 'response-head' }, h('strong', null, r.provider ? r.provider.name : ''), badge(STATUS_TEXT[r.status] || r.status, `status-${r.status}`)),
      h('div', null, '方案：', resLink),
      r.quote !== undefined ? h('div', null, '报价：', money(r.quote)) : null,
      r.message ? h('p', { class: 'response-msg' }, r.message) : null,
      h('div', { class: 'muted small' }, dateText(r.created_at)));
    if (owner && r.status !== 'accepted' && (need.status === 'open' || need.status === 'matched')) {
      const btn = h('button', { class: 'btn btn-small btn-primary', type: 'button', 'data-action': 'accept' }, '接受');
      btn.addEventListener('click', async () => {
        if (!confirm(`接受 ${r.provider.name} 的响应？对方将可以看到您的联系方式。`)) return;
        btn.disabled = true;
        try {
          await api.post(`/v1/needs/${encodeURIComponent(need.id)}/responses/${encodeURIComponent(r.id)}/accept`, {});
          toast(`已接受，${r.provider.name} 现在可以看到您的联系方式`, 'success');
          if (ctx.alive()) ctx.rerender();
        } catch (err) {
          btn.disabled = false;
          toast(err.message, 'error');
        }
      });
      row.append(h('div', { class: 'form-actions' }, btn));
    } else if (r.status === 'accepted') {
      row.append(h('div', { class: 'small ok' }, owner ? '已接受：对方可查看您的联系方式' : '已接受'));
      // the work that follows: its project (issue 19), or the button that starts it
      if (owner && canRole('enterprise')) row.append(projectForResponse(r, ctx));
      // and the enterprise sees the provider's, as the provider sees its own
      const pc = r.provider && r.provider.contact;
      if (pc || (r.provider && r.provider.website)) {
        row.append(h('div', { class: 'provider-contact small', 'data-provider': r.provider.id },
          pc ? h('div', null, '服务商联系人：', [pc.name, pc.title, pc.phone, pc.email].filter(Boolean).join(' · ')) : null,
          r.provider.website && /^https?:\/\//.test(r.provider.website)
            ? h('div', null, '网站：', h('a', { href: r.provider.website, target: '_blank', rel: 'noopener noreferrer' }, r.provider.website)) : null));
      }
    }
    box.append(row);
  }
}

// The fields of a need that POST /v1/match takes (the need as GET answers
// it has more: id, status, enterprise, …).
const MATCH_FIELDS = ['title', 'description', 'industry', 'scenarios', 'region', 'budget',
  'enterprise_size', 'current_level', 'target_level', 'deadline'];

// My resources ranked for this need by the server's match score (the
// same score the need's enterprise sees), best first; resources the match
// did not reach keep their order after them.  Resolves to [{r, score}].
export async function rankMine(need, mine) {
  const body = {};
  for (const k of MATCH_FIELDS) if (need[k] !== undefined && need[k] !== null) body[k] = need[k];
  let scores = new Map();
  try {
    const res = await api.post('/v1/match', body, { query: { limit: 50 } });
    scores = new Map((res.matches || []).map((m) => [m.resource.id, Number(m.score) || 0]));
  } catch { /* unranked: the list as it is */ }
  return mine.map((r, i) => ({ r, i, score: scores.get(r.id) }))
    .sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.i - b.i);
}

// A provider's response form for one need; used here and on 商机.  The
// resource that fits the need best comes first and is chosen; a search
// box narrows a long list.
export function respondForm(need, myResources, onDone) {
  const live = myResources.filter((r) => r.status !== 'withdrawn');
  const sel = h('select', { name: 'resource_id', 'aria-label': '用哪项资源响应' },
    live.map((r) => h('option', { value: r.id }, r.title)));
  const find = h('input', { type: 'search', name: 'resource_q', placeholder: '搜索我的资源', 'aria-label': '搜索我的资源', class: 'respond-find' });
  const hint = h('div', { class: 'field-hint respond-hint' }, '正在按匹配度排序…');
  let ranked = live.map((r) => ({ r, score: undefined }));
  let touched = false;
  sel.addEventListener('change', () => { touched = true; });
  const fill = () => {
    const t = find.value.trim().toLowerCase();
    const keep = sel.value;
    const shown = ranked.filter(({ r }) => !t || r.title.toLowerCase().includes(t) || (r.tags || []).some((x) => x.toLowerCase().includes(t)));
    clear(sel).append(...shown.map(({ r, score }) => h('option', { value: r.id, 'data-score': score === undefined ? '' : String(score) }, r.title)));
    if (!shown.length) sel.append(h('option', { value: '' }, '没有符合的资源'));
    if (touched && shown.some(({ r }) => r.id === keep)) sel.value = keep;
  };
  const describe = () => {
    const best = ranked[0];
    hint.textContent = best && best.score !== undefined
      ? `已按与该需求的匹配度排序：最合适的是“${best.r.title}”（匹配度 ${Math.round(best.score * 100)}）`
      : '您的资源与该需求的匹配度都不高，请选择最接近的一项';
  };
  find.addEventListener('input', fill);
  rankMine(need, live).then((list) => { ranked = list; fill(); describe(); });
  const form = h('form', { class: 'form respond-form', novalidate: true },
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '用哪项资源响应'), find, sel, hint),
    h('div', { class: 'grid-2' },
      field('报价（元，可选）', h('input', { name: 'quote', type: 'number', min: 0, step: 100 })),
      field('留言', h('input', { name: 'message', maxlength: 2000, placeholder: '方案要点、类似案例、可上门时间…' }))),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary btn-small', type: 'submit' }, '提交响应')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!sel.value) { formError(form, { message: '请选择用哪项资源响应', field: 'resource_id' }); return; }
    const body = { resource_id: sel.value, message: form.elements.message.value.trim() || undefined, quote: num(form.elements.quote.value) };
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      await api.post(`/v1/needs/${encodeURIComponent(need.id)}/responses`, body);
      toast('已提交响应，等待企业确认', 'success');
      formError(form, null);
      if (onDone) onDone();
    } catch (err) {
      formError(form, err);
      btn.disabled = false;
    }
  });
  return form;
}

async function drawRespondForm(main, need, ctx) {
  const box = h('section', { class: 'card' }, h('h3', null, '响应此需求'), loading());
  main.append(box);
  try {
    const mine = await listAll('/v1/resources', { provider: state.me.org.id }, 200);
    if (!ctx.alive()) return;
    clear(box).append(h('h3', null, '响应此需求'));
    if (!mine.length) box.append(emptyState('您还没有发布资源', null, h('a', { class: 'btn', href: '#/provider/resources/new' }, '发布资源')));
    else if (need.status !== 'open') box.append(h('p', { class: 'muted' }, '该需求已不再征集响应。'));
    else box.append(respondForm(need, mine, () => ctx.rerender()));
  } catch (err) {
    if (ctx.alive()) clear(box).append(errorBox(err));
  }
}
