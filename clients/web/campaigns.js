// campaigns.js - 集采活动: demand clusters (center) → 发起集采 (a prefilled
// form with a tiers editor) → POST /v1/campaigns; the campaign list; and
// the campaign page: price tiers with the current one highlighted,
// participants and their progress (each follows its project once the
// campaign is contracted, issue 19: the levels are those of its verified
// assessments; the center or the provider only withdraws one still
// joined), revision history, the transitions the state allows, and
// 参加/退出 for enterprises.
//
// The campaign routes are newer than the rest of the API: when the server
// answers "no such path" the pages show an empty state, not an error.

import { api } from './api.js';
import {
  state, h, clear, add, nameOf, chips, badge, dateText, money, pageHeader, field, select, num,
  formError, toast, emptyState, errorBox, loading, canRole, hashQuery, levelText, priceText,
  CAMPAIGN_STATUS, PARTICIPANT_STATUS, codeChecks, checkedValues,
} from './ui.js';
import { PROJECT_STATUS } from './projects.js';

const CLUSTER_STORE = 'shucu.cluster';

// The transitions a center may ask for, by current status.
const TRANSITIONS = {
  draft: [['open', '开放报名'], ['cancelled', '取消活动']],
  open: [['succeeded', '提前成团'], ['failed', '判定未成团'], ['cancelled', '取消活动']],
  succeeded: [['contracted', '完成签约']],
  failed: [],
  contracted: [['implementing', '开始实施']],
  implementing: [['completed', '全部验收完成']],
  completed: [],
  cancelled: [],
};

function notYet(what) {
  return emptyState(`${what}尚未上线`, '服务器暂未提供此接口，上线后此页面自动可用。');
}

function itemsOf(res, key) {
  if (Array.isArray(res)) return res;
  return (res && (res.items || res[key])) || [];
}

export async function campaignsPage(view, params, ctx) {
  if (!state.me) {
    view.append(pageHeader('集采活动'), emptyState('请先登录', '集采活动对企业、服务商和数促中心开放。', h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  const center = canRole('center');
  view.append(pageHeader('集采活动', '数促中心把同类需求的企业组织起来集体采购：参加的企业越多，单价越低；成团后跟踪每家企业的改造进度。',
    center ? h('a', { class: 'btn btn-primary', href: '#/campaigns/new', id: 'new-campaign' }, '发起集采') : null));
  const clustersBox = h('section', { id: 'clusters' });
  const listBox = h('section', { id: 'campaign-list' });
  if (center) view.append(clustersBox);
  view.append(listBox);
  await Promise.all([center ? drawClusters(clustersBox, ctx) : null, drawCampaignList(listBox, ctx)]);
}

async function drawClusters(box, ctx) {
  box.append(h('h2', null, '需求聚类'), loading());
  let clusters;
  try {
    clusters = itemsOf(await api.get('/v1/demand/clusters', { min_size: 2 }), 'clusters');
  } catch (err) {
    if (!ctx.alive()) return;
    clear(box).append(h('h2', null, '需求聚类'), err.missingRoute ? notYet('需求聚类') : errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  clear(box).append(h('h2', null, '需求聚类'),
    h('p', { class: 'muted' }, '同行业、同场景、同地区的开放需求，按企业数从多到少排列。'));
  if (!clusters.length) { box.append(emptyState('暂无可聚类的需求', '至少两家企业提出同类需求时会出现在这里。')); return; }
  const grid = h('div', { class: 'cluster-grid' });
  clusters.slice(0, 12).forEach((c, i) => {
    const lv = c.levels || {};
    const go = h('button', { class: 'btn btn-small btn-primary', type: 'button', 'data-action': 'from-cluster' }, '发起集采');
    go.addEventListener('click', () => {
      sessionStorage.setItem(CLUSTER_STORE, JSON.stringify(c));
      location.hash = '#/campaigns/new?from=cluster';
    });
    grid.append(h('article', { class: 'card cluster', 'data-index': String(i) },
      h('div', { class: 'cluster-size' }, h('strong', null, String(c.size ?? (c.need_ids || []).length)), h('span', null, '家企业')),
      h('div', { class: 'cluster-body' },
        h('div', { class: 'hit-chips' }, h('span', { class: 'chip' }, nameOf('industry', c.industry)),
          c.scenario ? h('span', { class: 'chip chip-alt' }, nameOf('scenario', c.scenario)) : null,
          c.region ? h('span', { class: 'chip chip-tag' }, c.region) : null),
        c.budget ? h('div', { class: 'small muted' }, `预算 ${money(c.budget.min)} – ${money(c.budget.max)}`) : null,
        Object.keys(lv).length ? h('div', { class: 'small muted' }, '当前水平：', Object.entries(lv).map(([k, n]) => `${levelText(k)} ${n} 家`).join('，')) : null,
        c.resources && c.resources.length ? h('div', { class: 'small' }, '推荐资源：', c.resources.slice(0, 2).map((r, j) => [j ? '、' : '', h('a', { href: `#/resources/${encodeURIComponent(r.id)}` }, r.title)])) : null),
      h('div', { class: 'form-actions' }, go)));
  });
  box.append(grid);
}

async function drawCampaignList(box, ctx) {
  const statusSel = select('status', [['', '全部状态'], ...Object.entries(CAMPAIGN_STATUS)], '', { 'aria-label': '状态' });
  const list = h('div', { class: 'campaign-cards' });
  const more = h('div', { class: 'load-more' });
  box.append(h('div', { class: 'section-head' }, h('h2', null, '集采活动'), statusSel), list, more);
  async function load(cursor) {
    if (!cursor) clear(list).append(loading());
    clear(more);
    try {
      const res = await api.get('/v1/campaigns', { status: statusSel.value, limit: 20, cursor });
      if (!ctx.alive()) return;
      if (!cursor) clear(list);
      const items = itemsOf(res, 'campaigns');
      if (!cursor && !items.length) list.append(emptyState('暂无集采活动', canRole('center') ? '从上面的需求聚类发起第一个集采。' : null));
      for (const c of items) list.append(campaignCard(c));
      if (res.next_cursor) more.append(h('button', { class: 'btn', type: 'button', onclick: () => load(res.next_cursor) }, '加载更多'));
    } catch (err) {
      if (!ctx.alive()) return;
      clear(list).append(err.missingRoute ? notYet('集采活动') : errorBox(err, () => load(null)));
    }
  }
  statusSel.addEventListener('change', () => load(null));
  await load(null);
}

function campaignCard(c) {
  const count = c.participants ? c.participants.count : 0;
  const pct = Math.min(100, (count / Math.max(1, c.min_participants)) * 100);
  return h('article', { class: 'card campaign-card', 'data-id': c.id },
    h('div', { class: 'hit-head' }, badge(CAMPAIGN_STATUS[c.status] || c.status, `cstatus-${c.status}`),
      h('a', { class: 'hit-title', href: `#/campaigns/${encodeURIComponent(c.id)}` }, c.title)),
    h('div', { class: 'hit-chips' }, h('span', { class: 'chip' }, nameOf('industry', c.industry)), chips('scenario', c.scenarios, 'chip-alt'),
      c.region ? h('span', { class: 'chip chip-tag' }, c.region) : null),
    h('div', { class: 'progress', title: `${count} / ${c.min_participants}` }, h('span', { style: { width: `${pct}%` } })),
    h('div', { class: 'hit-foot' },
      h('span', null, `已参加 ${count} 家 · 成团 ${c.min_participants} 家${c.max_participants ? ` · 上限 ${c.max_participants} 家` : ''}`),
      h('span', { class: 'price' }, priceNowText(c, count)),
      h('span', { class: 'muted' }, `截止 ${dateText(c.deadline)}`)));
}

// The tier in force for count participants (-1: not even the first), and
// the next one: the page, its aside and the list card all say the same.
export function tierState(c, count) {
  const tiers = [...(c.tiers || [])].sort((a, b) => a.min_participants - b.min_participants);
  let cur = -1;
  tiers.forEach((t, i) => { if (count >= t.min_participants) cur = i; });
  return { tiers, cur, next: tiers[cur + 1] || null };
}

function priceNowText(c, count) {
  const { tiers, cur } = tierState(c, count);
  if (cur >= 0) return `当前单价 ${money(tiers[cur].unit_price)}`;
  return tiers.length ? `首档单价 ${money(tiers[0].unit_price)}（满 ${tiers[0].min_participants} 家）` : '—';
}

// Who did it: a revision's by ({id, name, role, user, key}) or an actor
// ({org, role, user, key}), or "system" (the deadline closer).
function byText(by) {
  if (!by || by === 'system') return '系统';
  if (typeof by !== 'object') return String(by);
  const org = by.name || (by.org && by.org.name) || '';
  return by.user ? `${by.user.name}（${org}）` : org;
}

function defaultTiers(minP, price) {
  const p = Number(price) || 100000;
  const round = (x) => Math.round(x / 100) * 100;
  return [
    { min_participants: minP, unit_price: round(p * 0.9) },
    { min_participants: minP * 2, unit_price: round(p * 0.8) },
    { min_participants: minP * 4, unit_price: round(p * 0.7) },
  ];
}

export async function campaignFormPage(view, params, ctx) {
  if (!canRole('center')) {
    view.append(pageHeader('发起集采'), emptyState('只有数促中心可以发起集采', null, h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  const tax = state.tax;
  let cluster = null;
  if (hashQuery().get('from') === 'cluster') {
    try { cluster = JSON.parse(sessionStorage.getItem(CLUSTER_STORE) || 'null'); } catch { cluster = null; }
  }
  const industry = cluster ? cluster.industry : '';
  const scenario = cluster ? cluster.scenario : '';
  const region = cluster ? cluster.region || '' : '';
  const size = cluster ? cluster.size || (cluster.need_ids || []).length : 0;
  const minP = Math.max(2, Math.min(size || 3, 5));
  const deadline = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);

  // Resource picker: cluster recommendations first, then a search.
  const resSel = h('select', { name: 'resource_id', id: 'campaign-resource', required: true });
  const resQ = h('input', { type: 'search', placeholder: '搜索资源池以更换资源', 'aria-label': '搜索资源', id: 'campaign-resource-q' });
  let known = new Map();
  const fillResources = (hits) => {
    known = new Map(hits.map((r) => [r.id, r]));
    clear(resSel).append(...hits.map((r) => h('option', { value: r.id }, `${r.title} — ${r.provider ? r.provider.name : ''}（${priceText(r.price)}）`)));
    if (!hits.length) resSel.append(h('option', { value: '' }, '没有找到资源，请换个关键词'));
  };
  async function searchResources(q) {
    const res = await api.get('/v1/search', { q, industry: industry ? [industry, 'general'] : undefined, scenario: scenario || undefined, limit: 20, highlight: 0 });
    return (res.hits || []).filter((x) => x.kind !== 'provider');
  }
  if (cluster && cluster.resources && cluster.resources.length) fillResources(cluster.resources);
  else fillResources(await searchResources(''));
  if (!ctx.alive()) return;
  let tq = null;
  resQ.addEventListener('input', () => {
    clearTimeout(tq);
    tq = setTimeout(async () => {
      try { fillResources(await searchResources(resQ.value.trim())); } catch (err) { toast(err.message, 'error'); }
    }, 250);
  });

  const tiersBox = h('div', { class: 'tiers-editor', 'data-field': 'tiers' });
  const addTier = (t = {}) => {
    const row = h('div', { class: 'tier-row' },
      field('参与数 ≥', h('input', { type: 'number', min: 1, name: 'tier.min', value: t.min_participants ?? '' })),
      field('单价（元）', h('input', { type: 'number', min: 0, step: 100, name: 'tier.price', value: t.unit_price ?? '' })),
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': '删除此档', onclick: () => row.remove() }, '删除'));
    tiersBox.append(row);
  };
  const firstRes = known.values().next().value;
  defaultTiers(minP, firstRes && firstRes.price ? firstRes.price.min : 0).forEach(addTier);
  // Industry and scenario default to the chosen resource's when still empty.
  const syncFromResource = (r) => {
    if (!r) return;
    const ind = form.elements.industry;
    if (!ind.value) ind.value = (r.industries || []).find((x) => x !== 'general') || (r.industries || [])[0] || '';
    if (!checkedValues(form, 'scenarios').length) {
      for (const code of (r.scenarios || []).slice(0, 3)) {
        const cb = form.querySelector(`input[name="scenarios"][value="${code}"]`);
        if (cb) cb.checked = true;
      }
    }
  };
  resSel.addEventListener('change', () => {
    const r = known.get(resSel.value);
    syncFromResource(r);
    if (r && r.price && confirm('按所选资源的价格重新生成阶梯价格？')) {
      clear(tiersBox);
      defaultTiers(num(form.elements.min_participants.value) || minP, r.price.min).forEach(addTier);
    }
  });

  const title = cluster
    ? `${region || ''}${nameOf('industry', industry)}企业${scenario ? nameOf('scenario', scenario) : ''}集采`
    : '';
  const form = h('form', { class: 'card form', id: 'campaign-form', novalidate: true },
    cluster ? h('div', { class: 'alert' }, `根据需求聚类预填：${nameOf('industry', industry)} · ${scenario ? nameOf('scenario', scenario) : ''} · ${region || '不限地区'}，${size} 家企业。`) : null,
    field('活动名称 *', h('input', { name: 'title', maxlength: 120, value: title, required: true })),
    field('说明', h('textarea', { name: 'description', rows: 3, placeholder: '集采范围、服务内容、验收标准……' })),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '集采资源 *'), resQ, resSel),
    h('div', { class: 'grid-2' },
      field('行业 *', select('industry', [['', '请选择'], ...tax.industries.map((x) => [x.code, x.name])], industry)),
      field('地区', select('region', [['', '不限'], ...tax.regions.map((r) => [r, r])], region))),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '场景 *（可多选：一次集采可覆盖几个场景）'),
      codeChecks('scenarios', 'scenario', scenario ? [scenario] : [])),
    h('div', { class: 'grid-3' },
      field('成团最少企业数 *', h('input', { name: 'min_participants', type: 'number', min: 1, value: minP })),
      field('最多企业数', h('input', { name: 'max_participants', type: 'number', min: 1, value: Math.max(minP * 4, size * 2) })),
      field('报名截止 *', h('input', { name: 'deadline', type: 'date', value: deadline }))),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '阶梯价格 *（参与越多，单价越低）'), tiersBox,
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => addTier() }, '+ 添加一档')),
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-primary', type: 'submit', id: 'campaign-submit' }, '创建集采活动'),
      h('a', { class: 'btn btn-ghost', href: '#/campaigns' }, '取消')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    const tiers = [...tiersBox.querySelectorAll('.tier-row')].map((row) => ({
      min_participants: num(row.querySelector('[name="tier.min"]').value),
      unit_price: num(row.querySelector('[name="tier.price"]').value),
    })).filter((t) => t.min_participants !== undefined || t.unit_price !== undefined);
    let local = null;
    if (!tiers.length) local = { message: '请至少填写一档价格', field: 'tiers' };
    for (let i = 0; i < tiers.length && !local; i++) {
      const t = tiers[i];
      if (!(t.min_participants >= 1) || !(t.unit_price >= 0)) local = { message: `第 ${i + 1} 档价格不完整`, field: 'tiers' };
      else if (i && t.min_participants <= tiers[i - 1].min_participants) local = { message: '阶梯的参与数必须逐档递增', field: 'tiers' };
      else if (i && t.unit_price > tiers[i - 1].unit_price) local = { message: '阶梯的单价不能随参与数增加而上涨', field: 'tiers' };
    }
    if (!v('resource_id')) local = { message: '请选择集采资源', field: 'resource_id' };
    else if (!v('title')) local = { message: '请填写活动名称', field: 'title' };
    else if (!v('industry')) local = { message: '请选择行业', field: 'industry' };
    else if (!checkedValues(form, 'scenarios').length) local = { message: '请至少选择一个场景', field: 'scenarios' };
    if (local) { formError(form, local); return; }
    const body = {
      title: v('title'), description: v('description') || undefined, resource_id: v('resource_id'),
      industry: v('industry') || undefined, scenarios: checkedValues(form, 'scenarios'),
      region: v('region') || undefined, tiers, min_participants: num(v('min_participants')),
      max_participants: num(v('max_participants')), deadline: v('deadline') || undefined,
    };
    const btn = form.querySelector('#campaign-submit');
    btn.disabled = true;
    try {
      const c = await api.post('/v1/campaigns', body);
      sessionStorage.removeItem(CLUSTER_STORE);
      toast('集采活动已创建', 'success');
      location.hash = `#/campaigns/${encodeURIComponent(c.id)}`;
    } catch (err) {
      if (err.missingRoute) err.message = '集采接口尚未上线，暂时无法创建。';
      formError(form, err);
    } finally {
      btn.disabled = false;
    }
  });
  view.append(pageHeader('发起集采', '选定一项资源和阶梯价格，邀请同类需求的企业报名。'), form);
  if (!cluster) syncFromResource(known.get(resSel.value));
}

export async function campaignPage(view, [id], ctx) {
  view.append(loading());
  let c;
  try {
    c = await api.get(`/v1/campaigns/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!err.missingRoute) throw err;
    clear(view).append(pageHeader('集采活动'), notYet('集采活动'));
    return;
  }
  if (!ctx.alive()) return;
  clear(view);
  const me = state.me;
  const center = canRole('center', 'admin');
  const count = c.participants ? c.participants.count : 0;
  const list = (c.participants && c.participants.list) || [];
  const mineEntry = me ? list.find((p) => p.org && p.org.id === me.org.id && p.status !== 'withdrawn') : null;
  const { tiers, cur, next } = tierState(c, count);
  const provider = c.resource && c.resource.provider;
  const isProvider = me && provider && me.org.id === provider.id;
  const confirmed = !!c.price_confirmation;

  const resBox = h('dd', null, h('a', { href: `#/resources/${encodeURIComponent(c.resource_id)}` }, (c.resource && c.resource.title) || c.resource_id));
  api.get(`/v1/resources/${encodeURIComponent(c.resource_id)}`).then((r) => {
    if (!ctx.alive()) return;
    clear(resBox).append(h('a', { href: `#/resources/${encodeURIComponent(r.id)}` }, r.title), h('div', { class: 'muted small' }, `${r.provider ? r.provider.name : ''} · 原价 ${priceText(r.price)}`));
  }).catch(() => {});

  const actions = h('div', { class: 'campaign-actions', id: 'campaign-actions' });
  if (isProvider && c.status === 'draft' && !confirmed) {
    const ok = h('button', { type: 'button', class: 'btn btn-primary', id: 'campaign-confirm' }, '确认阶梯价格');
    ok.addEventListener('click', async () => {
      if (!confirm(`确认按以下阶梯价格供货？\n${tiers.map((t) => `≥ ${t.min_participants} 家：${money(t.unit_price)}`).join('\n')}`)) return;
      ok.disabled = true;
      try {
        await api.post(`/v1/campaigns/${encodeURIComponent(c.id)}/confirm`, {});
        toast('已确认阶梯价格，数促中心可以开始报名了', 'success');
        ctx.rerender();
      } catch (err) { ok.disabled = false; toast(err.message, 'error'); }
    });
    actions.append(h('span', { class: 'muted' }, '数促中心发起了这项集采，请核对阶梯价格：'), ok);
  }
  if (center && (TRANSITIONS[c.status] || []).length) {
    const reason = h('input', { name: 'reason', placeholder: '说明（可选，记入变更历史）', 'aria-label': '变更说明' });
    actions.append(reason);
    for (const [to, label] of TRANSITIONS[c.status]) {
      const early = to === 'succeeded' && count < c.min_participants;
      const unconfirmed = to === 'open' && !confirmed;
      const danger = to === 'cancelled' || to === 'failed';
      const b = h('button', {
        type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, 'data-to': to, disabled: early || unconfirmed,
        title: early ? `需至少 ${c.min_participants} 家企业参加` : unconfirmed ? '等待服务商确认阶梯价格' : null,
      }, label);
      b.addEventListener('click', async () => {
        if (to === 'cancelled' && !confirm('确定取消该集采活动？已报名的企业将收到通知，此操作不能撤回。')) return;
        if (to === 'failed' && !confirm('确定判定该集采未成团？')) return;
        b.disabled = true;
        try {
          await api.post(`/v1/campaigns/${encodeURIComponent(c.id)}/transition`, { to, reason: reason.value.trim() || undefined });
          toast(`状态已变更为“${CAMPAIGN_STATUS[to]}”`, 'success');
          ctx.rerender();
        } catch (err) {
          b.disabled = false;
          toast(err.message, 'error');
        }
      });
      actions.append(b);
    }
    if (c.status === 'draft' && !confirmed) actions.append(h('span', { class: 'muted small', id: 'awaiting-confirmation' }, '等待服务商确认阶梯价格后才能开放报名。'));
  }
  if (canRole('enterprise') && c.status === 'open') {
    if (mineEntry) {
      const leave = h('button', { type: 'button', class: 'btn btn-danger', id: 'campaign-leave' }, '退出');
      leave.addEventListener('click', async () => {
        if (!confirm('确定退出该集采？')) return;
        leave.disabled = true;
        try {
          await api.post(`/v1/campaigns/${encodeURIComponent(c.id)}/leave`, {});
          toast('已退出集采', 'success');
          ctx.rerender();
        } catch (err) { leave.disabled = false; toast(err.message, 'error'); }
      });
      actions.append(h('span', { class: 'ok' }, '您已参加 '), leave);
    } else {
      const needSel = h('select', { name: 'need_id', 'aria-label': '关联需求' }, h('option', { value: '' }, '不关联需求'));
      api.get('/v1/needs', { status: 'open', limit: 50 }).then((res) => {
        for (const n of res.items || []) needSel.append(h('option', { value: n.id, selected: n.industry === c.industry && (n.scenarios || []).some((s) => (c.scenarios || []).includes(s)) }, n.title));
      }).catch(() => {});
      const join = h('button', { type: 'button', class: 'btn btn-primary', id: 'campaign-join' }, '参加');
      join.addEventListener('click', async () => {
        join.disabled = true;
        try {
          await api.post(`/v1/campaigns/${encodeURIComponent(c.id)}/join`, needSel.value ? { need_id: needSel.value } : {});
          toast('报名成功', 'success');
          ctx.rerender();
        } catch (err) { join.disabled = false; toast(err.message, 'error'); }
      });
      actions.append(needSel, join);
    }
  }

  const pct = Math.min(100, (count / Math.max(1, c.min_participants)) * 100);
  add(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/campaigns' }, '集采活动'), ' / 活动详情'),
    pageHeader(c.title, null, badge(CAMPAIGN_STATUS[c.status] || c.status, `cstatus-${c.status}`)),
    actions.childNodes.length ? h('section', { class: 'card' }, actions) : null,
    h('div', { class: 'two-col two-col-wide' },
      h('div', null,
        h('section', { class: 'card', id: 'tiers' }, h('h3', null, '阶梯价格'),
          h('div', { class: 'tiers' }, tiers.map((t, i) => h('div', { class: `tier ${i === cur ? 'tier-current' : ''} ${i < cur ? 'tier-passed' : ''}`, 'data-current': i === cur ? '1' : null },
            h('div', { class: 'tier-min' }, `≥ ${t.min_participants} 家`),
            h('div', { class: 'tier-price' }, money(t.unit_price)),
            i === cur ? h('div', { class: 'tier-flag' }, '当前价格') : null))),
          h('div', { class: 'progress progress-lg', title: `${count} / ${c.min_participants}` }, h('span', { style: { width: `${pct}%` } })),
          h('p', { id: 'tier-summary' }, `已参加 `, h('strong', { id: 'participant-count' }, String(count)), ` 家，成团需 ${c.min_participants} 家`,
            c.max_participants ? `，上限 ${c.max_participants} 家` : '', '。',
            cur >= 0 ? `当前单价 ${money(tiers[cur].unit_price)}。` : '',
            next ? `再有 ${next.min_participants - count} 家参加，单价${cur >= 0 ? '降至' : '为'} ${money(next.unit_price)}。`
              : (tiers.length ? '已是最低一档价格。' : '')),
          h('p', { class: `small ${confirmed ? 'ok' : 'muted'}`, id: 'price-confirmation' }, confirmed
            ? `服务商已确认以上价格（${byText(c.price_confirmation.by)}，${dateText(c.price_confirmation.at)}）`
            : '服务商尚未确认以上价格')),
        h('section', { class: 'card', id: 'participants' }, h('h3', null, `参与企业（${count}）`),
          c.outcome && (c.outcome.avg_level_uplift !== null && c.outcome.avg_level_uplift !== undefined)
            ? h('p', { class: 'ok' }, `平均提升 ${c.outcome.avg_level_uplift} 级，${c.outcome.reached_level_2 || 0} 家达到二级及以上。`) : null,
          participantsTable(c, list, ctx)),
        h('section', { class: 'card', id: 'revisions' }, h('h3', null, '变更历史'),
          (c.revisions || []).length ? h('ol', { class: 'timeline' }, [...c.revisions].reverse().map((r) => h('li', null,
            h('strong', null, revisionTitle(r, list)),
            h('span', { class: 'muted' }, ` · ${dateText(r.at)} · ${byText(r.by)}`),
            r.reason ? h('div', { class: 'revision-reason' }, reasonText(r.reason)) : null))) : h('p', { class: 'muted' }, '暂无记录'))),
      h('aside', null,
        h('section', { class: 'card' }, h('h3', null, '活动信息'),
          h('dl', { class: 'kv' },
            h('dt', null, '集采资源'), resBox,
            h('dt', null, '行业'), h('dd', null, nameOf('industry', c.industry)),
            h('dt', null, '场景'), h('dd', null, (c.scenarios || []).map((s) => nameOf('scenario', s)).join('、')),
            h('dt', null, '地区'), h('dd', null, c.region || '不限'),
            h('dt', null, '报名截止'), h('dd', null, dateText(c.deadline)),
            h('dt', null, '组织方'), h('dd', null, c.center ? c.center.name : '—'),
            h('dt', null, '当前单价'), h('dd', { class: 'price', id: 'aside-price' }, cur >= 0 ? money(tiers[cur].unit_price) : `未达到首档（满 ${tiers[0] ? tiers[0].min_participants : '—'} 家 ${tiers[0] ? money(tiers[0].unit_price) : ''}）`),
            h('dt', null, '下一档'), h('dd', null, next ? `满 ${next.min_participants} 家 ${money(next.unit_price)}` : '已是最低一档'),
            h('dt', null, '创建时间'), h('dd', null, dateText(c.created_at))),
          c.description ? h('div', { class: 'prose small' }, c.description) : null))));
}

// "状态 A → 状态 B"; a participant's own step (it has org_id) names the
// enterprise and uses the participant statuses.
function revisionTitle(r, list) {
  const names = r.org_id ? PARTICIPANT_STATUS : CAMPAIGN_STATUS;
  const step = `${r.from ? (names[r.from] || r.from) + ' → ' : ''}${names[r.to] || r.to}`;
  if (!r.org_id) return step;
  const p = list.find((x) => x.org && x.org.id === r.org_id);
  return `${p ? p.org.name : '参与企业'}：${step}`;
}

// The reasons shucud writes itself are English keywords; the ones a user
// typed are shown as typed.
const REASON_TEXT = {
  created: '创建活动',
  joined: '报名参加',
  'joined with a need': '带着需求报名参加',
  left: '退出活动',
  'deadline reached': '报名截止，自动判定',
  'prices confirmed': '服务商确认阶梯价格',
};

export function reasonText(reason) {
  if (REASON_TEXT[reason]) return REASON_TEXT[reason];
  if (/^project \S+$/.test(reason)) return '随实施项目推进';
  const m = /^level_before (\S+), level_after (\S+)$/.exec(reason);
  if (m) {
    const lv = (x) => (/^\d+$/.test(x) ? levelText(Number(x)) : '—');
    return `更新改造水平：${lv(m[1])} → ${lv(m[2])}`;
  }
  return reason;
}

function participantsTable(c, list, ctx) {
  if (!list.length) {
    return h('p', { class: 'muted' }, c.participants && c.participants.count
      ? '参与企业名单仅对数促中心和服务商可见。' : '还没有企业参加。');
  }
  const canEdit = canRole('center', 'admin', 'provider') && !['draft', 'cancelled', 'failed'].includes(c.status);
  const tbody = h('tbody');
  for (const p of list) {
    const tr = h('tr', { 'data-org': p.org.id });
    const lv = (n) => (n ? levelText(n) : '—');
    tr.append(
      h('td', null, p.org.name),
      h('td', null, p.need_id ? h('a', { href: `#/needs/${encodeURIComponent(p.need_id)}` }, '查看需求') : '—'),
      h('td', null, badge(PARTICIPANT_STATUS[p.status] || p.status, `pstatus-${p.status}`)),
      h('td', { class: 'nowrap' }, `${lv(p.level_before)} → ${lv(p.level_after)}`),
      h('td', null, p.project
        ? h('a', { href: `#/projects/${encodeURIComponent(p.project.id)}`, 'data-action': 'project' }, `项目（${PROJECT_STATUS[p.project.status] || p.project.status}）`)
        : h('span', { class: 'muted small' }, '签约后建立')),
      h('td', { class: 'small nowrap' }, dateText(p.joined_at)));
    if (canEdit) {
      // progress and levels follow the project; by hand only withdrawing a
      // participant not yet contracted
      const cell = h('td');
      if (p.status === 'joined') {
        const out = h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'withdraw' }, '退出');
        out.addEventListener('click', async () => {
          out.disabled = true;
          try {
            await api.patch(`/v1/campaigns/${encodeURIComponent(c.id)}/participants/${encodeURIComponent(p.org.id)}`, { status: 'withdrawn' });
            toast(`${p.org.name} 已退出`, 'success');
            ctx.rerender();
          } catch (err) { out.disabled = false; toast(err.message, 'error'); }
        });
        cell.append(out);
      } else {
        cell.append(h('span', { class: 'muted small' }, p.project ? '在项目页推进' : '—'));
      }
      tr.append(cell);
    }
    tbody.append(tr);
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'participants-table' },
    h('thead', null, h('tr', null, ['企业', '需求', '进度', '水平（核验）', '实施项目', '报名时间', canEdit ? '操作' : null].filter(Boolean).map((t) => h('th', null, t)))),
    tbody));
}

