// ui.js - the console's shared state (who is logged in, the taxonomy) and
// small DOM helpers.  Every string from the API reaches the page through
// textContent (h() children, text()); the only HTML ever inserted is the
// search highlight, which the server escapes and marks with <mark> (see
// setHighlight).

export const state = {
  me: null,          // {role, key_prefix, org: {id, name}} or null (anonymous)
  tax: null,         // GET /v1/taxonomy
  names: {},         // kind -> code -> Chinese name
};

export const ROLE_TEXT = {
  enterprise: '企业', provider: '服务商', center: '数促中心', admin: '管理员', authority: '经信局',
};

export const STATUS_TEXT = {
  // resources
  published: '已发布', withdrawn: '已下架',
  // needs
  open: '征集中', matched: '已对接', in_campaign: '集采中', closed: '已关闭',
  // responses
  pending: '待处理', accepted: '已接受', rejected: '未采纳',
};

export const CAMPAIGN_STATUS = {
  draft: '草稿', open: '报名中', succeeded: '成团', failed: '未成团',
  contracted: '已签约', implementing: '实施中', completed: '已完成', cancelled: '已取消',
};

export const PARTICIPANT_STATUS = {
  joined: '已报名', contracted: '已签约', implementing: '实施中', accepted: '已验收', withdrawn: '已退出',
};

// Builds an element: h('div', {class: 'x', onclick: fn}, 'text', child, [more]).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'required' || k === 'multiple') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// el.append(...) for children that may be null/undefined/false (skipped, as
// in h()); the DOM's own append would insert the text "null".
export function add(el, ...children) {
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// Inserts server highlight HTML.  The server HTML-escapes the text and adds
// only <mark>…</mark>; as a second line of defence anything else that looks
// like a tag is dropped by re-escaping all but <mark> and </mark>.
export function setHighlight(el, html, fallback) {
  if (typeof html !== 'string' || !html) {
    el.textContent = fallback || '';
    return el;
  }
  const safe = html
    .replace(/<(?!\/?mark>)/g, '&lt;');
  el.innerHTML = safe;
  return el;
}

export function toast(message, kind = 'info', ms = 4200) {
  const box = document.getElementById('toasts');
  const t = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.appendChild(t);
  setTimeout(() => t.classList.add('toast-out'), ms);
  setTimeout(() => t.remove(), ms + 400);
}

export function errorBox(err, retry) {
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('strong', null, '出错了：'), err && err.message ? err.message : String(err),
    retry ? h('button', { class: 'btn btn-small', type: 'button', onclick: retry }, '重试') : null);
}

export function emptyState(title, detail, action) {
  return h('div', { class: 'empty' },
    h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '∅'),
    h('p', { class: 'empty-title' }, title),
    detail ? h('p', { class: 'muted' }, detail) : null,
    action || null);
}

export function loading(text = '正在加载…') {
  return h('p', { class: 'muted loading' }, text);
}

export function loadTaxonomy(tax) {
  state.tax = tax;
  const names = { industry: {}, scenario: {}, group: {}, kind: {}, level: {}, size: {}, delivery: {} };
  for (const x of tax.industries || []) names.industry[x.code] = x.name;
  for (const x of tax.scenarios || []) names.scenario[x.code] = x.name;
  for (const x of tax.scenario_groups || []) names.group[x.code] = x.name;
  for (const x of tax.kinds || []) names.kind[x.code] = x.name;
  for (const x of tax.levels || []) names.level[x.code] = x.name;
  for (const x of tax.enterprise_sizes || []) names.size[x.code] = x.name;
  for (const x of tax.deliveries || []) names.delivery[x.code] = x.name;
  names.kind.provider = names.kind.provider || '服务商';
  state.names = names;
}

export function nameOf(kind, code) {
  const m = state.names[kind];
  return (m && m[code]) || String(code);
}

export function levelText(n) {
  return nameOf('level', Number(n)) || `${n}级`;
}

const yuan = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });

export function money(v) {
  if (v === undefined || v === null || v === '' || isNaN(Number(v))) return '—';
  const n = Number(v);
  if (n >= 10000) return `${yuan.format(n / 10000)} 万元`;
  return `${yuan.format(n)} 元`;
}

export function priceText(p) {
  if (!p || (p.min === undefined && p.max === undefined)) return '价格面议';
  const unit = p.unit ? ` / ${p.unit}` : '';
  if (p.min === p.max || p.max === undefined) return `${money(p.min)}${unit}`;
  return `${money(p.min)} – ${money(p.max)}${unit}`;
}

export function dateText(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (isNaN(d)) return s;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function ratingView(r) {
  if (!r || !r.count) return h('span', { class: 'rating muted' }, '暂无评分');
  const avg = Number(r.average) || 0;
  const full = Math.round(avg);
  return h('span', { class: 'rating', title: `${avg.toFixed(1)} 分，${r.count} 条评价` },
    h('span', { class: 'stars', 'aria-hidden': 'true' }, '★'.repeat(full) + '☆'.repeat(5 - full)),
    ` ${avg.toFixed(1)}（${r.count}）`);
}

export function chips(kind, codes, cls = '') {
  return (codes || []).map((c) => h('span', { class: `chip ${cls}` }, nameOf(kind, c)));
}

export function badge(text, cls = '') {
  return h('span', { class: `badge ${cls}` }, text);
}

// Debounce: the returned function runs fn ms after its last call.
export function debounce(fn, ms) {
  let t = null;
  const d = (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
  d.cancel = () => clearTimeout(t);
  return d;
}

// Parses the query part of a hash route ("#/search?q=x&kind=a,b").
export function hashQuery() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : '');
}

// Replaces the hash's query without adding history or re-routing.
export function replaceHashQuery(path, params) {
  const s = params.toString();
  const url = `${location.pathname}${location.search}#${path}${s ? '?' + s : ''}`;
  history.replaceState(history.state, '', url);
}

// Marks the form control named by an API error's field, if any.
export function markFieldError(form, err) {
  form.querySelectorAll('.invalid').forEach((x) => x.classList.remove('invalid'));
  if (!err || !err.field) return;
  const base = err.field.replace(/\[\d+\]/g, '');
  const el = form.querySelector(`[name="${CSS.escape(err.field)}"]`) ||
    form.querySelector(`[name="${CSS.escape(base)}"]`) ||
    form.querySelector(`[data-field="${CSS.escape(base)}"]`) ||
    form.querySelector(`[data-field="${CSS.escape(base.split('.')[0])}"]`);
  if (el) {
    el.classList.add('invalid');
    if (el.focus) el.focus();
  }
}

export function formError(form, err) {
  let box = form.querySelector('.form-error');
  if (!box) {
    box = h('div', { class: 'alert alert-error form-error', role: 'alert' });
    form.prepend(box);
  }
  if (!err) { box.remove(); return; }
  box.textContent = err.message || String(err);
  markFieldError(form, err);
}

export function canRole(...roles) {
  return !!(state.me && roles.includes(state.me.role));
}

export function pageHeader(title, sub, ...actions) {
  return h('div', { class: 'page-head' },
    h('div', null, h('h1', null, title), sub ? h('p', { class: 'muted' }, sub) : null),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

export function field(label, control, hint) {
  return h('label', { class: 'field' },
    h('span', { class: 'field-label' }, label),
    control,
    hint ? h('span', { class: 'field-hint' }, hint) : null);
}

export function select(name, options, value, attrs = {}) {
  return h('select', { name, ...attrs },
    options.map(([v, t]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, t)));
}

export function levelOptions(blank = '未填写') {
  return [['', blank], ...[1, 2, 3, 4].map((n) => [String(n), levelText(n)])];
}

// A checkbox group of taxonomy codes; scenarios grouped by their group.
export function codeChecks(name, kind, selected = []) {
  const sel = new Set(selected);
  const tax = state.tax;
  const box = (code, label) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name, value: code, checked: sel.has(code) }), label);
  if (kind === 'scenario') {
    return h('div', { class: 'check-groups', 'data-field': name },
      tax.scenario_groups.map((g) => h('div', { class: 'check-group' },
        h('div', { class: 'check-group-title' }, g.name),
        h('div', { class: 'checks' },
          tax.scenarios.filter((s) => s.group === g.code).map((s) => box(s.code, s.name))))));
  }
  const list = kind === 'industry' ? tax.industries : kind === 'region' ? tax.regions.map((r) => ({ code: r, name: r })) : tax.kinds;
  return h('div', { class: 'checks', 'data-field': name }, list.map((x) => box(x.code, x.name)));
}

export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((x) => x.value);
}

export function num(v) {
  if (v === undefined || v === null || String(v).trim() === '') return undefined;
  const n = Number(v);
  return isNaN(n) ? v : n;
}
