// search.js - 资源池: search-as-you-type over GET /v1/search with filters,
// facet counts, sort and pagination; and the resource page.
//
// The search state lives in the hash query (#/search?q=质检&kind=product),
// replaced in place as the user types so a reload or a shared link shows
// the same results.  Facet counts are disjunctive: for a field with a
// ticked value the counts come from the same search without that field's
// filter, so they say what ticking one more value (OR within a field) adds.

import { outcomesCards } from './cases.js';
import { api } from './api.js';
import {
  state, h, clear, add, setHighlight, nameOf, priceText, ratingView, chips, badge, debounce,
  hashQuery, replaceHashQuery, emptyState, errorBox, loading, levelText, dateText,
  pageHeader, canRole, STATUS_TEXT, field, formError,
} from './ui.js';

const PAGE_SIZE = 20;
const MULTI = ['kind', 'industry', 'scenario', 'delivery'];
const SORTS = [
  ['relevance', '按相关度'], ['newest', '最新发布'], ['price_asc', '价格从低到高'], ['rating', '评分最高'],
];

function readState() {
  const q = hashQuery();
  const s = { q: q.get('q') || '', region: q.get('region') || '', max_price: q.get('max_price') || '', sort: q.get('sort') || 'relevance', page: Math.max(1, Number(q.get('page')) || 1) };
  for (const k of MULTI) s[k] = (q.get(k) || '').split(',').filter(Boolean);
  return s;
}

function writeState(s) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  for (const k of MULTI) if (s[k].length) p.set(k, s[k].join(','));
  if (s.region) p.set('region', s.region);
  if (s.max_price) p.set('max_price', s.max_price);
  if (s.sort && s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  replaceHashQuery('/search', p);
}

function queryOf(s, without) {
  const q = { q: s.q, sort: s.sort, region: s.region, max_price: s.max_price };
  for (const k of MULTI) if (k !== without) q[k] = s[k];
  return q;
}

export async function searchPage(view, params, ctx) {
  const s = readState();
  const tax = state.tax;
  let seq = 0;
  let controller = null;

  const input = h('input', {
    type: 'search', id: 'search-q', name: 'q', value: s.q, autocomplete: 'off',
    placeholder: '搜索解决方案、产品、数据集、模型、工艺包…（如：质检、排产、能耗）', 'aria-label': '搜索资源池',
  });
  const sortSel = h('select', { id: 'search-sort', 'aria-label': '排序' },
    SORTS.map(([v, t]) => h('option', { value: v, selected: v === s.sort }, t)));
  const meta = h('div', { class: 'search-meta muted', id: 'search-meta' });
  const results = h('div', { class: 'hits', id: 'hits' });
  const pager = h('nav', { class: 'pager', id: 'pager', 'aria-label': '分页' });
  const filters = h('aside', { class: 'filters', id: 'filters', 'aria-label': '筛选' });

  // Filter controls: a checkbox list per multi-valued field, with counts.
  const groups = {};
  function optionList(fieldName, options) {
    const list = h('div', { class: 'facet-list' });
    for (const [code, label] of options) {
      const cb = h('input', { type: 'checkbox', value: code, checked: s[fieldName].includes(code), 'data-facet': fieldName });
      cb.addEventListener('change', () => {
        s[fieldName] = cb.checked ? [...s[fieldName], code] : s[fieldName].filter((x) => x !== code);
        s.page = 1;
        run();
      });
      const count = h('span', { class: 'facet-count', 'data-code': code });
      list.append(h('label', { class: 'facet', 'data-code': code }, cb, h('span', { class: 'facet-name' }, label), count));
    }
    groups[fieldName] = list;
    return list;
  }
  const kindOpts = [...tax.kinds.map((k) => [k.code, k.name]), ['provider', '服务商'], ['case', '优秀案例']];
  const scenarioBlocks = tax.scenario_groups.map((g) => [g.name,
    tax.scenarios.filter((x) => x.group === g.code).map((x) => [x.code, x.name])]);
  const scenarioList = optionList('scenario', scenarioBlocks.flatMap(([, o]) => o));
  // Re-group the flat scenario list under its group headings.
  const scenarioBox = h('div');
  {
    const labels = [...scenarioList.children];
    let i = 0;
    for (const [gname, opts] of scenarioBlocks) {
      scenarioBox.append(h('div', { class: 'facet-subhead' }, gname));
      const sub = h('div', { class: 'facet-list' });
      for (let j = 0; j < opts.length; j++) sub.append(labels[i++]);
      scenarioBox.append(sub);
    }
  }
  const regionSel = h('select', { id: 'filter-region', 'aria-label': '地区' },
    h('option', { value: '' }, '全部地区'),
    tax.regions.filter((r) => r !== '全国').map((r) => h('option', { value: r, selected: r === s.region }, r)));
  regionSel.addEventListener('change', () => { s.region = regionSel.value; s.page = 1; run(); });
  const priceIn = h('input', { type: 'number', min: '0', step: '1000', id: 'filter-price', value: s.max_price, placeholder: '不限', 'aria-label': '最高价格（元）' });
  priceIn.addEventListener('input', debounce(() => { s.max_price = priceIn.value; s.page = 1; run(); }, 400));

  const clearBtn = h('button', { type: 'button', class: 'btn btn-small btn-ghost', id: 'filters-clear' }, '清除筛选');
  clearBtn.addEventListener('click', () => {
    for (const k of MULTI) s[k] = [];
    s.region = ''; s.max_price = ''; s.page = 1;
    filters.querySelectorAll('input[type=checkbox]').forEach((c) => { c.checked = false; });
    regionSel.value = ''; priceIn.value = '';
    run();
  });

  filters.append(
    h('div', { class: 'filters-head' }, h('strong', null, '筛选'), clearBtn),
    facetBlock('类型', optionList('kind', kindOpts), 'kind'),
    facetBlock('行业', optionList('industry', tax.industries.map((x) => [x.code, x.name])), 'industry'),
    facetBlock('场景', scenarioBox, 'scenario'),
    facetBlock('地区', regionSel),
    facetBlock('交付方式', optionList('delivery', tax.deliveries.map((x) => [x.code, x.name])), 'delivery'),
    facetBlock('最高价格（元）', priceIn, null, '按起步价筛选'));
  // On a narrow screen the filters stack above the results: they start
  // folded (all but the ones in use) so the first hits are on the first screen.
  if (window.matchMedia('(max-width: 980px)').matches) {
    for (const d of filters.querySelectorAll('details.facet-block')) {
      d.open = [...d.querySelectorAll('input, select')].some((x) => (x.type === 'checkbox' ? x.checked : x.value));
    }
  }

  view.append(
    pageHeader('资源池', '数促中心汇聚的解决方案、货架产品、数据集、模型、工艺包、服务与基础设施。'),
    h('div', { class: 'searchbar' }, input, sortSel),
    h('div', { class: 'search-layout' }, filters, h('section', { class: 'results' }, meta, results, pager)));

  const debounced = debounce(() => { s.page = 1; run(); }, 250);
  input.addEventListener('input', () => { s.q = input.value; debounced(); });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { debounced.cancel(); s.page = 1; run(); } });
  sortSel.addEventListener('change', () => { s.sort = sortSel.value; s.page = 1; run(); });

  async function run() {
    if (!ctx.alive()) return;
    writeState(s);
    const my = ++seq;
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    results.classList.add('stale');
    try {
      const main = api.get('/v1/search', { ...queryOf(s), limit: PAGE_SIZE, offset: (s.page - 1) * PAGE_SIZE }, { signal });
      // Disjunctive counts for fields that have a ticked value.
      const extra = ['kind', 'industry', 'scenario'].filter((k) => s[k].length).map((k) =>
        api.get('/v1/search', { ...queryOf(s, k), limit: 1, highlight: 0 }, { signal }).then((r) => [k, r.facets && r.facets[k]]));
      const res = await main;
      const more = await Promise.all(extra);
      if (my !== seq || !ctx.alive()) return;
      const facets = { ...(res.facets || {}) };
      for (const [k, f] of more) facets[k] = f || {};
      drawFacets(facets);
      drawHits(res);
    } catch (err) {
      if (err.name === 'AbortError' || my !== seq || !ctx.alive()) return;
      clear(results).append(errorBox(err, run));
      clear(meta); clear(pager);
    } finally {
      if (my === seq) results.classList.remove('stale');
    }
  }

  function drawFacets(facets) {
    for (const [fieldName, list] of Object.entries(groups)) {
      const counts = facets[fieldName];
      const container = fieldName === 'scenario' ? scenarioBox : list;
      container.querySelectorAll('.facet').forEach((lab) => {
        const c = lab.querySelector('.facet-count');
        if (!counts) { c.textContent = ''; lab.classList.remove('zero'); return; }
        const n = counts[lab.dataset.code] || 0;
        c.textContent = String(n);
        lab.classList.toggle('zero', n === 0 && !lab.querySelector('input').checked);
      });
    }
  }

  function drawHits(res) {
    clear(results);
    const total = res.total || 0;
    add(clear(meta),
      h('span', null, '共 ', h('strong', { id: 'search-total' }, String(total)), ' 条结果'),
      res.took_ms !== undefined ? h('span', null, ` · 用时 ${Number(res.took_ms).toFixed(1)} ms${res.cached ? '（缓存）' : ''}`) : null);
    drawNotices(res);
    if (!res.hits || !res.hits.length) {
      results.append(emptyState('没有找到匹配的资源', s.q ? '换个说法试试，或减少筛选条件。' : '请调整筛选条件。'));
    } else {
      for (const hit of res.hits) results.append(hitCard(hit));
    }
    drawPager(total);
  }

  // What the server did with the words typed (issue 22): a correction it
  // searched instead (您是不是要找), words it dropped because all of them
  // together found too little, a q cut to 1,000 characters, or a q of
  // stopwords alone.  Clicking the suggestion searches it.
  function drawNotices(res) {
    const notes = [];
    if (res.corrected && res.corrected.from && res.corrected.to) {
      const to = res.corrected.to;
      const link = h('a', { href: '#', id: 'search-corrected' }, to);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        s.q = (s.q || '').split(res.corrected.from).join(to);
        input.value = s.q;
        s.page = 1;
        run();
      });
      notes.push(h('div', { class: 'search-note', id: 'search-didyoumean' },
        '您是不是要找 ', link, `？没有找到“${res.corrected.from}”，已为您搜索“${to}”。`));
    }
    if (res.relaxed && res.dropped && res.dropped.length) {
      notes.push(h('div', { class: 'search-note', id: 'search-relaxed' },
        `同时包含全部关键词的结果较少，已放宽搜索：部分结果不含“${res.dropped.join('”“')}”。`));
    }
    if (res.truncated) {
      notes.push(h('div', { class: 'search-note', id: 'search-truncated' }, '搜索词过长，只搜索了前 1000 个字。'));
    }
    if (res.note) {
      notes.push(h('div', { class: 'search-note', id: 'search-stopwords' }, '只输入了“的、了、我们”这类常用词，请输入要找的内容。'));
    }
    for (const n of notes) meta.append(n);
  }

  function drawPager(total) {
    clear(pager);
    const pages = Math.ceil(total / PAGE_SIZE);
    if (pages <= 1) return;
    const go = (p) => { s.page = p; run(); window.scrollTo({ top: 0 }); };
    pager.append(h('button', { type: 'button', class: 'btn btn-small', disabled: s.page <= 1, onclick: () => go(s.page - 1) }, '上一页'));
    const from = Math.max(1, Math.min(s.page - 3, pages - 6));
    const to = Math.min(pages, from + 6);
    for (let p = from; p <= to; p++) {
      pager.append(h('button', {
        type: 'button', class: `btn btn-small ${p === s.page ? 'btn-primary' : ''}`, 'aria-current': p === s.page ? 'page' : null, onclick: () => go(p),
      }, String(p)));
    }
    pager.append(h('button', { type: 'button', class: 'btn btn-small', disabled: s.page >= pages, onclick: () => go(s.page + 1) }, '下一页'),
      h('span', { class: 'muted' }, ` 第 ${s.page} / ${pages} 页`));
  }

  await run();
  if (ctx.alive()) input.focus();
}

function facetBlock(title, body, name, hint) {
  return h('details', { class: 'facet-block', open: true, 'data-block': name || '' },
    h('summary', null, title), body, hint ? h('div', { class: 'field-hint' }, hint) : null);
}

export function hitCard(hit) {
  const hl = hit.highlight || {};
  const isProvider = hit.kind === 'provider';
  const isCase = hit.kind === 'case';
  const href = isProvider ? `#/search?q=${encodeURIComponent(hit.title)}`
    : isCase ? `#/cases/${encodeURIComponent(hit.id)}` : `#/resources/${encodeURIComponent(hit.id)}`;
  const title = setHighlight(h('a', { class: 'hit-title', href }), hl.title, hit.title);
  const summary = setHighlight(h('p', { class: 'hit-summary' }), hl.summary, hit.summary);
  const facts = [];
  if (isCase && hit.case) {
    const lv = (n) => (n === null || n === undefined ? '—' : n === 0 ? '未达一级' : levelText(n));
    facts.push(h('span', null, `核验水平 ${lv(hit.case.level_before)} → ${lv(hit.case.level_after)}`));
  } else if (!isProvider) {
    facts.push(h('span', { class: 'price' }, priceText(hit.price)));
    if (hit.levels) facts.push(h('span', null, `${levelText(hit.levels.from)} → ${levelText(hit.levels.to)}`));
    if (hit.delivery) facts.push(h('span', null, nameOf('delivery', hit.delivery)));
    if (hit.deploy_days) facts.push(h('span', null, `约 ${hit.deploy_days} 天上线`));
    facts.push(ratingView(hit.rating));
  }
  return h('article', { class: 'hit card', 'data-id': hit.id },
    h('div', { class: 'hit-head' }, badge(nameOf('kind', hit.kind), `kind kind-${hit.kind}`), title),
    summary,
    h('div', { class: 'hit-chips' }, chips('industry', (hit.industries || []).slice(0, 4)), chips('scenario', (hit.scenarios || []).slice(0, 4), 'chip-alt')),
    h('div', { class: 'hit-foot' },
      h('span', { class: 'provider' }, isProvider ? '服务商' : (hit.provider ? hit.provider.name : '')),
      h('span', { class: 'facts' }, facts)));
}

export async function resourcePage(view, [id], ctx) {
  view.append(loading());
  const r = await api.get(`/v1/resources/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  clear(view);
  const mine = state.me && r.provider && state.me.org.id === r.provider.id;
  const actions = [];
  if (mine) {
    actions.push(h('a', { class: 'btn', href: `#/provider/resources/${encodeURIComponent(r.id)}/edit` }, '编辑'));
  }
  if (canRole('enterprise')) {
    const p = new URLSearchParams();
    if (r.industries && r.industries[0] && r.industries[0] !== 'general') p.set('industry', r.industries[0]);
    if (r.scenarios && r.scenarios.length) p.set('scenarios', r.scenarios.join(','));
    actions.push(h('a', { class: 'btn btn-primary', href: `#/needs/new?${p}` }, '发布类似需求'));
  }
  const rows = [
    ['价格', priceText(r.price)],
    ['数字化水平', r.levels ? `${levelText(r.levels.from)} → ${levelText(r.levels.to)}` : '—'],
    ['交付方式', r.delivery ? nameOf('delivery', r.delivery) : '—'],
    ['上线周期', r.deploy_days ? `约 ${r.deploy_days} 天` : '—'],
    ['服务地区', (r.regions || ['全国']).join('、')],
    ['评分', ratingView(r.rating)],
  ];
  if (r.license) rows.push(['许可', r.license]);
  if (r.external_id && mine) rows.push(['外部编号', r.external_id]);
  rows.push(['状态', STATUS_TEXT[r.status] || r.status], ['发布时间', dateText(r.created_at)], ['更新时间', dateText(r.updated_at)]);

  const provider = h('div', { class: 'card provider-card' }, h('h3', null, '服务商'), h('p', null, h('strong', null, r.provider ? r.provider.name : '—')));
  // 联系服务商: a message into the provider's inbox, with the sender's contact
  if (canRole('enterprise') && !mine && r.status === 'published') provider.append(contactForm(r));
  else if (!state.me && r.status === 'published') {
    provider.append(h('p', { class: 'small muted' }, h('a', { href: '#/login' }, '登录'), '后可直接联系服务商。'));
  }
  add(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/search' }, '资源池'), ' / ', nameOf('kind', r.kind)),
    pageHeader(r.title, null, ...actions),
    h('div', { class: 'resource-badges' }, badge(nameOf('kind', r.kind), `kind kind-${r.kind}`),
      r.status === 'withdrawn' ? badge('已下架', 'badge-warn') : null),
    r.summary ? h('p', { class: 'lead' }, r.summary) : null,
    h('div', { class: 'two-col' },
      h('div', null,
        h('section', { class: 'card' }, h('h3', null, '详细介绍'), h('div', { class: 'prose' }, r.description || r.summary || '暂无介绍')),
        h('section', { class: 'card' }, h('h3', null, '适用行业与场景'),
          h('div', { class: 'hit-chips' }, chips('industry', r.industries)),
          h('div', { class: 'hit-chips' }, chips('scenario', r.scenarios, 'chip-alt')),
          r.tags && r.tags.length ? h('div', { class: 'hit-chips' }, r.tags.map((t) => h('span', { class: 'chip chip-tag' }, '#' + t))) : null),
        h('section', { class: 'card' }, h('h3', null, `应用案例（${(r.cases || []).length}）`),
          r.cases && r.cases.length
            ? h('table', { class: 'table' }, h('thead', null, h('tr', null, h('th', null, '企业'), h('th', null, '行业'), h('th', null, '成效'))),
              h('tbody', null, r.cases.map((c) => h('tr', null, h('td', null, c.enterprise || '—'), h('td', null, c.industry ? nameOf('industry', c.industry) : '—'), h('td', null, c.result || '—')))))
            : h('p', { class: 'muted' }, '暂无案例')),
        outcomesCards(r.id, ctx),
        r.attrs && Object.keys(r.attrs).length
          ? h('section', { class: 'card' }, h('h3', null, '扩展属性'),
            h('table', { class: 'table' }, h('tbody', null, Object.entries(r.attrs).map(([k, v]) =>
              h('tr', null, h('th', null, k), h('td', null, typeof v === 'object' ? JSON.stringify(v) : String(v)))))))
          : null),
      h('aside', null,
        h('section', { class: 'card' }, h('h3', null, '关键信息'),
          h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]))),
        provider)));
  if (r.provider) {
    api.get(`/v1/orgs/${encodeURIComponent(r.provider.id)}`).then((org) => {
      if (!ctx.alive()) return;
      add(provider,
        org.description ? h('p', { class: 'muted' }, org.description) : null,
        org.regions && org.regions.length ? h('p', null, '服务地区：', org.regions.join('、')) : null,
        org.website ? h('p', null, '网站：', h('a', { class: 'mono', id: 'provider-website', href: safeUrl(org.website), target: '_blank', rel: 'noopener noreferrer' }, org.website)) : null,
        org.contact ? h('p', { class: 'small', id: 'provider-contact' }, '联系人：', [org.contact.name, org.contact.phone, org.contact.email].filter(Boolean).join(' · ')) : null);
    }).catch(() => { /* the profile is optional */ });
  }
}

// Only http(s) links are made clickable; anything else stays text.
function safeUrl(u) {
  return /^https?:\/\//i.test(u || '') ? u : '#';
}

function contactForm(r) {
  const me = state.me;
  const u = me.user || {};
  const msg = h('textarea', { name: 'message', rows: 3, maxlength: 1000, placeholder: '想了解的内容：报价、案例、上门演示时间……' });
  const name = h('input', { name: 'contact.name', maxlength: 60, value: u.name || '' });
  const phone = h('input', { name: 'contact.phone', maxlength: 32, value: u.phone || '', inputmode: 'tel' });
  const form = h('form', { class: 'form contact-form', id: 'contact-form', novalidate: true },
    h('h4', null, '联系服务商'),
    field('留言 *', msg),
    h('div', { class: 'grid-2' }, field('联系人', name), field('电话', phone)),
    h('p', { class: 'small muted' }, '留言和联系方式会发到服务商的站内信。'),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'contact-submit' }, '发送')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!msg.value.trim()) { formError(form, { message: '请填写留言', field: 'message' }); return; }
    const contact = {};
    if (name.value.trim()) contact.name = name.value.trim();
    if (phone.value.trim()) contact.phone = phone.value.trim();
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      await api.post(`/v1/resources/${encodeURIComponent(r.id)}/contact`, { message: msg.value.trim(), contact: Object.keys(contact).length ? contact : undefined });
      formError(form, null);
      form.replaceWith(h('p', { class: 'ok', id: 'contact-sent' }, '已发送，服务商会通过您留的电话联系您。'));
    } catch (err) {
      formError(form, err);
      btn.disabled = false;
    }
  });
  return form;
}
