// enterprises.js - a center's side of 建档立卡 and 评估诊断: the
// verification queue (submitted assessments), the enterprise register
// (filters: province/city/district, industry, level, 规上, name), each
// enterprise's file with its assessment history, and the file form (also
// the enterprise's own 企业档案).  Places are chosen from GB/T 2260
// (GET /v1/regions), never typed.

import { api, request } from './api.js';
import {
  state, h, clear, add, nameOf, badge, dateText, pageHeader, field, select, num, formError, toast,
  emptyState, loading, canRole, hashQuery, replaceHashQuery,
} from './ui.js';
import { assessCard, levelBadge, fmtScore, MODE_TEXT } from './assess.js';

const SIZE_TEXT = { micro: '微型', small: '小型', medium: '中型', large: '大型' };
const SPECIALIZED_TEXT = { none: '否', innovative: '创新型中小企业', specialized: '专精特新中小企业', little_giant: '专精特新“小巨人”' };
let regions = null;

async function getRegions() {
  if (!regions) regions = await api.get('/v1/regions');
  return regions;
}

// Province → city → district selects; value() gives {province, city, district} codes.
function placeSelects(reg, cur = {}, blank = '全部') {
  const p = select('province', [['', blank], ...reg.provinces.map((x) => [x.code, x.name])], cur.province || '');
  const c = select('city', [['', blank]], '');
  const d = select('district', [['', blank]], '');
  const fill = (sel, list, v) => {
    clear(sel).append(...[['', blank], ...list.map((x) => [x.code, x.name])].map(([k, t]) => h('option', { value: k, selected: k === v }, t)));
    sel.disabled = !list.length;
  };
  const cities = () => (reg.provinces.find((x) => x.code === p.value) || { cities: [] }).cities;
  const districts = () => (cities().find((x) => x.code === c.value) || { districts: [] }).districts;
  fill(c, cities(), cur.city || '');
  fill(d, districts(), cur.district || '');
  p.addEventListener('change', () => { fill(c, cities(), ''); fill(d, [], ''); });
  c.addEventListener('change', () => fill(d, districts(), ''));
  return { p, c, d, value: () => ({ province: p.value, city: c.value, district: d.value }) };
}

function place(f) {
  return [f.province, f.city, f.district].filter(Boolean).join(' ') || '—';
}

// ------------------------------------------------------------ the queue

export async function verifyQueuePage(view, params, ctx) {
  if (!canRole('center', 'admin')) {
    view.append(pageHeader('评估审核'), emptyState('评估审核由数促中心办理', null, h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  view.append(pageHeader('评估审核', '企业提交的评估：逐份核验（可上门核实、调整场景级别），通过后等级记入企业档案；资料不全的退回修改。'), loading());
  const res = await api.get('/v1/assessments', { status: 'submitted', limit: 100 });
  if (!ctx.alive()) return;
  view.lastChild.remove();
  if (!res.items.length) { view.append(emptyState('没有待核验的评估', '企业提交评估后会出现在这里。')); return; }
  view.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'verify-queue' },
    h('thead', null, h('tr', null, ['企业', '方式', '提交时间', '得分', '自评等级', ''].map((t) => h('th', null, t)))),
    h('tbody', null, res.items.map((a) => h('tr', { 'data-id': a.id },
      h('td', null, h('a', { href: `#/enterprises/${encodeURIComponent(a.org.id)}` }, a.org.name)),
      h('td', null, MODE_TEXT[a.mode] || a.mode), h('td', null, dateText(a.submitted_at)),
      h('td', { class: 'num' }, fmtScore(a.score.total)), h('td', null, levelBadge(a.level)),
      h('td', null, h('a', { class: 'btn btn-small btn-primary', href: `#/assess/${encodeURIComponent(a.id)}` }, '审核'))))))));
}

// ------------------------------------------------------------ the register

export async function registerPage(view, params, ctx) {
  if (!canRole('center', 'admin')) {
    view.append(pageHeader('企业名录'), emptyState('企业名录仅对数促中心和管理员开放', null, h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  view.append(loading());
  const reg = await getRegions();
  if (!ctx.alive()) return;
  clear(view);
  const q = hashQuery();
  const places = placeSelects(reg, { province: q.get('province') || '420000', city: q.get('city'), district: q.get('district') });
  const ind = select('industry', [['', '全部行业'], ...state.tax.industries.filter((x) => x.code !== 'general').map((x) => [x.code, x.name])], q.get('industry') || '');
  const lv = select('level', [['', '全部等级'], ['none', '未核验'], ['0', '未达一级'], ['1', '一级'], ['2', '二级'], ['3', '三级'], ['4', '四级']], q.get('level') || '');
  const ab = select('above_scale', [['', '规上与规下'], ['true', '规上企业'], ['false', '规下企业']], q.get('above_scale') || '');
  const name = h('input', { type: 'search', name: 'q', placeholder: '企业名称，如：精工', value: q.get('q') || '' });
  const bar = h('form', { class: 'toolbar register-filters', id: 'register-filters' },
    places.p, places.c, places.d, ind, lv, ab, name, h('button', { class: 'btn', type: 'submit' }, '筛选'));
  const total = h('span', { class: 'muted', id: 'register-total' });
  const body = h('tbody');
  const more = h('div', { class: 'load-more' });
  const center = canRole('center');
  add(view, pageHeader('企业名录', '建档立卡的企业，等级取自数促中心核验的评估。', total),
    bar, h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'register' },
      h('thead', null, h('tr', null, ['企业名称', '地区', '行业', '规模', '规上', '等级', '核验时间'].map((t) => h('th', null, t)))), body)),
    more, center ? importCard(ctx) : null);
  const filters = () => {
    const p = places.value();
    return { province: p.province, city: p.city, district: p.district, industry: ind.value, level: lv.value, above_scale: ab.value, q: name.value.trim() };
  };
  async function load(cursor) {
    if (!cursor) clear(body).append(h('tr', null, h('td', { colspan: 7 }, loading())));
    clear(more);
    const f = filters();
    if (!cursor) replaceHashQuery('/enterprises', new URLSearchParams(Object.entries(f).filter(([, v]) => v)));
    const res = await api.get('/v1/enterprises', { ...f, limit: 50, cursor });
    if (!ctx.alive()) return;
    if (!cursor) clear(body);
    total.textContent = `共 ${res.total} 家`;
    if (!cursor && !res.items.length) body.append(h('tr', null, h('td', { colspan: 7 }, emptyState('没有符合条件的企业', null))));
    for (const e of res.items) {
      body.append(h('tr', { 'data-org': e.org.id },
        h('td', null, h('a', { href: `#/enterprises/${encodeURIComponent(e.org.id)}` }, e.org.name)),
        h('td', null, place(e)), h('td', null, e.industry ? nameOf('industry', e.industry) : '—'),
        h('td', null, SIZE_TEXT[e.size] || '—'), h('td', null, e.above_scale === undefined ? '—' : e.above_scale ? '是' : '否'),
        h('td', null, e.level === null ? h('span', { class: 'muted' }, '未核验') : levelBadge(e.level)),
        h('td', null, e.assessed_at ? dateText(e.assessed_at) : '—')));
    }
    if (res.next_cursor) more.append(h('button', { class: 'btn', type: 'button', onclick: () => load(res.next_cursor) }, '加载更多'));
  }
  bar.addEventListener('submit', (e) => { e.preventDefault(); load(null); });
  bar.addEventListener('change', (e) => { if (e.target !== name) load(null); });
  await load(null);
}

function importCard(ctx) {
  const file = h('input', { type: 'file', accept: '.ndjson,.jsonl,.json,.txt', name: 'file' });
  const out = h('div', { id: 'enterprise-import-result' });
  const go = h('button', { class: 'btn', type: 'button', id: 'enterprise-import' }, '导入');
  go.addEventListener('click', async () => {
    if (!file.files.length) { toast('请选择文件', 'error'); return; }
    go.disabled = true;
    try {
      const r = await request('POST', '/v1/enterprises:bulk', { raw: await file.files[0].text(), contentType: 'application/x-ndjson' });
      add(clear(out), h('p', null, `新建 ${r.created} 家，更新 ${r.updated} 家，失败 ${r.failed} 行。`),
        r.errors.length ? h('ul', { class: 'small' }, r.errors.slice(0, 20).map((e) => h('li', null, `第 ${e.line} 行：${e.error.message}`))) : null);
      if (r.created + r.updated) ctx.rerender();
    } catch (err) { toast(err.message, 'error'); } finally { go.disabled = false; }
  });
  return h('section', { class: 'card' }, h('h3', null, '批量建档'),
    h('p', { class: 'muted small' }, '每行一个企业（JSON 格式），包含企业名称和档案字段；已有企业按统一社会信用代码或名称更新，出错的行单独报告。'),
    h('div', { class: 'form-actions' }, file, go), out);
}

// ------------------------------------------------------------ one file

export async function myFilePage() {
  location.replace(state.me ? `#/enterprises/${encodeURIComponent(state.me.org.id)}` : '#/login');
}

export async function filePage(view, [org], ctx) {
  view.append(loading());
  const enc = encodeURIComponent(org);
  const [f, list] = await Promise.all([api.get(`/v1/orgs/${enc}/file`), api.get('/v1/assessments', { org_id: org, limit: 50 })]);
  if (!ctx.alive()) return;
  clear(view);
  const mine = state.me && state.me.org.id === org;
  const canEdit = mine || canRole('center');
  const kv = (k, v) => h('div', { class: 'kv' }, h('span', { class: 'muted' }, k), h('span', null, v === undefined || v === null || v === '' ? '—' : v));
  add(view, mine ? null : h('p', { class: 'crumbs' }, h('a', { href: '#/enterprises' }, '企业名录'), ' / 企业档案'),
    pageHeader(f.org.name, '企业档案（建档立卡）', canEdit ? h('a', { class: 'btn', href: `#/enterprises/${enc}/edit`, id: 'edit-file' }, '编辑档案') : null,
      canRole('center') ? h('button', { class: 'btn btn-primary', type: 'button', id: 'onsite-new', onclick: () => onsite(org) }, '现场评定') : null),
    h('div', { class: 'two-col' },
      h('section', null, h('h2', null, '评估记录'), list.items.length ? list.items.map(assessCard)
        : emptyState('还没有评估', mine ? '到“评估诊断”开始第一次自评。' : null)),
      h('aside', null, h('section', { class: 'card file-card', id: 'file-card' },
        h('div', { class: 'file-level' }, f.level === null ? badge('未核验', '') : levelBadge(f.level),
          f.assessed_at ? h('span', { class: 'muted small' }, ` 核验于 ${dateText(f.assessed_at)}`) : null),
        kv('统一社会信用代码', f.uscc), kv('地区', place(f)), kv('行业', f.industry ? nameOf('industry', f.industry) : null),
        kv('国民经济行业分类', f.gbt4754), kv('规模', SIZE_TEXT[f.size]), kv('规上企业', f.above_scale === undefined ? null : f.above_scale ? '是' : '否'),
        kv('员工', f.employees === undefined ? null : `${f.employees} 人`), kv('上年营业收入', f.revenue === undefined ? null : `${f.revenue} 万元`),
        kv('专精特新', SPECIALIZED_TEXT[f.specialized]),
        kv('资质证书', (f.certificates || []).map((c) => `${c.type}${c.grade ? ' ' + c.grade : ''}${c.year ? `（${c.year}）` : ''}`).join('；')),
        f.contact ? kv('联系人', [f.contact.name, f.contact.phone, f.contact.email].filter(Boolean).join(' ')) : null,
        kv('评估次数', String(f.assessments))))));
}

async function onsite(org) {
  try {
    const insts = await api.get('/v1/instruments');
    const a = await api.post('/v1/assessments', { instrument: insts.items[0].code, org_id: org, mode: 'onsite' });
    location.hash = `#/assess/${encodeURIComponent(a.id)}/fill`;
  } catch (err) { toast(err.message, 'error'); }
}

export async function fileFormPage(view, [org], ctx) {
  view.append(loading());
  const enc = encodeURIComponent(org);
  const [f, reg] = await Promise.all([api.get(`/v1/orgs/${enc}/file`), getRegions()]);
  if (!ctx.alive()) return;
  clear(view);
  const places = placeSelects(reg, { province: f.province_code, city: f.city_code, district: f.district_code }, '请选择');
  places.p.dataset.field = 'province';
  const inp = (name, attrs = {}) => h('input', { name, value: f[name] === undefined ? '' : String(f[name]), ...attrs });
  const certs = h('div', { 'data-field': 'certificates' });
  const certRow = (c = {}) => {
    const row = h('div', { class: 'tier-row cert-row' },
      h('input', { name: 'cert-type', placeholder: '证书，如：两化融合管理体系', value: c.type || '' }),
      h('input', { name: 'cert-grade', placeholder: '等级', value: c.grade || '' }),
      h('input', { name: 'cert-year', type: 'number', placeholder: '年份', value: c.year ? String(c.year) : '' }),
      h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => row.remove() }, '删除'));
    certs.append(row);
  };
  (f.certificates || []).forEach(certRow);
  const form = h('form', { class: 'card form', id: 'file-form', novalidate: true },
    field('统一社会信用代码', inp('uscc', { maxlength: 18, class: 'mono', placeholder: '18 位，如 91420100…' }), '系统会校验最后一位校验码（GB 32100-2015）。'),
    h('div', { class: 'grid-3' }, field('省份', places.p), field('城市', places.c), field('区县', places.d)),
    h('div', { class: 'grid-3' },
      field('行业', select('industry', [['', '请选择'], ...state.tax.industries.filter((x) => x.code !== 'general').map((x) => [x.code, x.name])], f.industry || '')),
      field('国民经济行业分类', inp('gbt4754', { maxlength: 5, placeholder: '如 C3484' })),
      field('企业规模', select('size', [['', '请选择'], ...Object.entries(SIZE_TEXT)], f.size || ''))),
    h('div', { class: 'grid-3' },
      field('员工人数', inp('employees', { type: 'number', min: 0 })),
      field('上年营业收入（万元）', inp('revenue', { type: 'number', min: 0, step: 'any' })),
      field('专精特新', select('specialized', [['', '未填写'], ...Object.entries(SPECIALIZED_TEXT)], f.specialized || ''))),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'above_scale', checked: !!f.above_scale }), '规模以上工业企业（规上）'),
    h('fieldset', { class: 'fieldset' }, h('legend', null, '资质证书'), certs,
      h('button', { class: 'btn btn-small', type: 'button', onclick: () => certRow() }, '添加证书')),
    h('fieldset', { class: 'fieldset' }, h('legend', null, '联系人（仅本企业和数促中心可见）'),
      h('div', { class: 'grid-3' },
        field('姓名', h('input', { name: 'contact.name', value: (f.contact || {}).name || '' })),
        field('电话', h('input', { name: 'contact.phone', value: (f.contact || {}).phone || '' })),
        field('邮箱', h('input', { name: 'contact.email', type: 'email', value: (f.contact || {}).email || '' })))),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'file-save' }, '保存档案'),
      h('a', { class: 'btn btn-ghost', href: `#/enterprises/${enc}` }, '取消')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    const p = places.value();
    const body = {
      uscc: v('uscc') || undefined, province: p.province || undefined, city: p.city || undefined,
      district: p.district || undefined, industry: v('industry') || undefined, gbt4754: v('gbt4754') || undefined,
      size: v('size') || undefined, above_scale: form.elements.above_scale.checked,
      employees: num(v('employees')), revenue: num(v('revenue')), specialized: v('specialized') || undefined,
    };
    const cs = [...certs.querySelectorAll('.cert-row')].map((r) => ({
      type: r.querySelector('[name=cert-type]').value.trim(), grade: r.querySelector('[name=cert-grade]').value.trim() || undefined,
      year: num(r.querySelector('[name=cert-year]').value),
    })).filter((c) => c.type);
    if (cs.length) body.certificates = cs;
    const contact = { name: v('contact.name') || undefined, phone: v('contact.phone') || undefined, email: v('contact.email') || undefined };
    if (contact.name || contact.phone || contact.email) body.contact = contact;
    try {
      await request('PUT', `/v1/orgs/${enc}/file`, { body, headers: { 'If-Match': `"${f.version}"` } });
      toast('档案已保存', 'success');
      location.hash = `#/enterprises/${enc}`;
    } catch (err) {
      formError(form, err);
    }
  });
  view.append(h('p', { class: 'crumbs' }, h('a', { href: `#/enterprises/${enc}` }, f.org.name), ' / 编辑档案'),
    pageHeader('编辑企业档案', '地区从国家行政区划中选择；统一社会信用代码填错一位系统会提示。'), form);
}
