// provider.js - the 服务商 pages: 我的资源 (list, create, edit with PATCH and
// If-Match, withdraw), 批量导入 (an NDJSON file to POST /v1/resources:bulk)
// and 商机 (open needs each of my resources fits, with a response form).

import { api, listAll, request, errorLead } from './api.js';
import {
  state, h, clear, nameOf, priceText, chips, badge, dateText, pageHeader, field, select,
  levelOptions, codeChecks, checkedValues, num, formError, toast, emptyState, errorBox, loading,
  canRole, STATUS_TEXT, money,
} from './ui.js';
import { explainBars, scoreBar, respondForm, needSummary, scoreOf } from './needs.js';

function needProvider(view, title) {
  if (canRole('provider')) return false;
  view.append(pageHeader(title), emptyState('只有服务商账号可以使用此页面', '请用服务商的 API 密钥登录。', h('a', { class: 'btn', href: '#/login' }, '登录')));
  return true;
}

export async function myResourcesPage(view, params, ctx) {
  if (needProvider(view, '我的资源')) return;
  const body = h('div', { id: 'my-resources' }, loading());
  view.append(pageHeader('我的资源', `${state.me.org.name} 在资源池中发布的解决方案、产品和服务。`,
    h('a', { class: 'btn', href: '#/provider/import' }, '批量导入'),
    h('a', { class: 'btn btn-primary', href: '#/provider/resources/new', id: 'new-resource' }, '发布资源')), body);
  const items = await listAll('/v1/resources', { provider: state.me.org.id, status: 'all' }, 1000);
  if (!ctx.alive()) return;
  clear(body);
  if (!items.length) {
    body.append(emptyState('还没有发布资源', '逐条发布，或用 NDJSON 文件批量导入。', h('a', { class: 'btn btn-primary', href: '#/provider/resources/new' }, '发布资源')));
    return;
  }
  const pub = items.filter((r) => r.status === 'published').length;
  body.append(h('p', { class: 'muted' }, `共 ${items.length} 项，已发布 ${pub} 项，已下架 ${items.length - pub} 项。`));
  const tbody = h('tbody');
  for (const r of items) {
    const withdraw = r.status === 'published'
      ? h('button', { class: 'btn btn-small btn-danger', type: 'button', 'data-action': 'withdraw' }, '下架') : null;
    if (withdraw) {
      withdraw.addEventListener('click', async () => {
        if (!confirm(`下架“${r.title}”？下架后不再出现在检索和匹配中。`)) return;
        withdraw.disabled = true;
        try {
          await api.del(`/v1/resources/${encodeURIComponent(r.id)}`);
          toast('已下架', 'success');
          ctx.rerender();
        } catch (err) {
          withdraw.disabled = false;
          toast(err.message, 'error');
        }
      });
    }
    tbody.append(h('tr', { 'data-id': r.id, class: r.status === 'withdrawn' ? 'row-muted' : '' },
      h('td', null, h('a', { href: `#/resources/${encodeURIComponent(r.id)}` }, r.title),
        r.external_id ? h('div', { class: 'muted small mono' }, r.external_id) : null),
      h('td', null, nameOf('kind', r.kind)),
      h('td', null, chips('industry', (r.industries || []).slice(0, 3))),
      h('td', null, priceText(r.price)),
      h('td', null, badge(STATUS_TEXT[r.status] || r.status, `status-${r.status}`)),
      h('td', { class: 'small' }, dateText(r.updated_at)),
      h('td', { class: 'actions' },
        h('a', { class: 'btn btn-small', href: `#/provider/resources/${encodeURIComponent(r.id)}/edit` }, '编辑'), withdraw)));
  }
  body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'resources-table' },
    h('thead', null, h('tr', null, ['标题', '类型', '行业', '价格', '状态', '更新', ''].map((t) => h('th', null, t)))), tbody)));
}

export async function resourceFormPage(view, params, ctx) {
  const id = params[0];
  if (needProvider(view, id ? '编辑资源' : '发布资源')) return;
  let r = {};
  if (id) {
    view.append(loading());
    r = await api.get(`/v1/resources/${encodeURIComponent(id)}`);
    if (!ctx.alive()) return;
    clear(view);
  }
  const tax = state.tax;
  const casesBox = h('div', { class: 'cases', 'data-field': 'cases' });
  const addCase = (c = {}) => {
    const row = h('div', { class: 'case-row' },
      h('input', { name: 'case.enterprise', placeholder: '企业（可匿名，如“襄阳某汽车零部件企业”）', value: c.enterprise || '' }),
      select('case.industry', [['', '行业'], ...tax.industries.map((x) => [x.code, x.name])], c.industry || ''),
      h('input', { name: 'case.result', placeholder: '成效，如“交付周期缩短 20%”', value: c.result || '' }),
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => row.remove(), 'aria-label': '删除案例' }, '删除'));
    casesBox.append(row);
  };
  (r.cases || []).forEach(addCase);
  const regionSel = new Set(r.regions || ['全国']);
  const form = h('form', { class: 'card form', id: 'resource-form', novalidate: true },
    h('div', { class: 'grid-2' },
      field('类型 *', select('kind', tax.kinds.map((k) => [k.code, k.name]), r.kind || 'solution')),
      field('标题 *', h('input', { name: 'title', maxlength: 120, value: r.title || '', required: true }))),
    field('简介', h('input', { name: 'summary', maxlength: 500, value: r.summary || '' }), '一句话说明解决什么问题、适合谁（≤ 500 字）'),
    field('详细介绍', h('textarea', { name: 'description', rows: 6, maxlength: 20000 }, r.description || '')),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '适用行业 *'), codeChecks('industries', 'industry', r.industries || [])),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '适用场景 *'), codeChecks('scenarios', 'scenario', r.scenarios || [])),
    h('details', { class: 'field' }, h('summary', { class: 'field-label' }, `服务地区（已选 ${regionSel.size} 个）`),
      h('div', { class: 'checks', 'data-field': 'regions' }, tax.regions.map((x) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'regions', value: x, checked: regionSel.has(x) }), x)))),
    h('div', { class: 'grid-3' },
      field('最低价格（元）', h('input', { name: 'price.min', type: 'number', min: 0, value: r.price ? r.price.min : '' })),
      field('最高价格（元）', h('input', { name: 'price.max', type: 'number', min: 0, value: r.price ? r.price.max : '' })),
      field('计价单位', h('input', { name: 'price.unit', placeholder: '套 / 年 / 次', value: r.price ? r.price.unit || '' : '' }))),
    h('div', { class: 'grid-3' },
      field('交付方式', select('delivery', [['', '未填写'], ...tax.deliveries.map((x) => [x.code, x.name])], r.delivery || '')),
      field('上线周期（天）', h('input', { name: 'deploy_days', type: 'number', min: 0, value: r.deploy_days ?? '' })),
      field('标签', h('input', { name: 'tags', value: (r.tags || []).join('，'), placeholder: '用逗号分隔，如 MES，报工' }))),
    h('div', { class: 'grid-3' },
      field('适用起始水平', select('levels.from', levelOptions(), r.levels ? r.levels.from : '')),
      field('可达水平', select('levels.to', levelOptions(), r.levels ? r.levels.to : '')),
      field('外部编号', h('input', { name: 'external_id', maxlength: 64, value: r.external_id || '' }), '贵司内部编号，批量导入按它更新')),
    field('许可（数据集、模型）', h('input', { name: 'license', value: r.license || '' })),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '应用案例'), casesBox,
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => addCase() }, '+ 添加案例')),
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-primary', type: 'submit' }, id ? '保存修改' : '发布'),
      h('a', { class: 'btn btn-ghost', href: '#/provider/resources' }, '取消')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    const tags = v('tags').split(/[,，、\s]+/).filter(Boolean);
    const cases = [...casesBox.querySelectorAll('.case-row')].map((row) => ({
      enterprise: row.querySelector('[name="case.enterprise"]').value.trim() || undefined,
      industry: row.querySelector('[name="case.industry"]').value || undefined,
      result: row.querySelector('[name="case.result"]').value.trim() || undefined,
    })).filter((c) => c.enterprise || c.result);
    // null removes a member in a merge patch; on create, absent is the same.
    const orNull = (x) => (x === undefined || x === '' ? null : x);
    const price = v('price.min') || v('price.max')
      ? { min: num(v('price.min') || v('price.max')), max: num(v('price.max') || v('price.min')), unit: v('price.unit') || undefined } : null;
    const levels = v('levels.from') && v('levels.to') ? { from: num(v('levels.from')), to: num(v('levels.to')) } : null;
    const doc = {
      kind: v('kind'), title: v('title'), summary: orNull(v('summary')), description: orNull(v('description')),
      industries: checkedValues(form, 'industries'), scenarios: checkedValues(form, 'scenarios'),
      regions: checkedValues(form, 'regions'), tags, price, levels, cases,
      delivery: orNull(v('delivery')), deploy_days: orNull(num(v('deploy_days'))),
      license: orNull(v('license')), external_id: orNull(v('external_id')),
    };
    if (!doc.regions.length) doc.regions = ['全国'];
    try {
      let saved;
      if (id) {
        saved = await api.patch(`/v1/resources/${encodeURIComponent(id)}`, doc, { headers: { 'If-Match': `"${r.version}"` } });
      } else {
        for (const k of Object.keys(doc)) if (doc[k] === null) delete doc[k];
        saved = await api.post('/v1/resources', doc);
      }
      toast(id ? '已保存' : '已发布到资源池', 'success');
      location.hash = `#/resources/${encodeURIComponent(saved.id)}`;
    } catch (err) {
      if (err.code === 'conflict' && id) err.message = '资源已被他人修改，请刷新后重试。' + err.message;
      formError(form, err);
    }
  });
  view.append(pageHeader(id ? '编辑资源' : '发布资源', id ? r.title : '标准化、模块化、货架式的资源更容易被中小企业找到。'), form);
}

export async function importPage(view, params, ctx) {
  if (needProvider(view, '批量导入')) return;
  const file = h('input', { type: 'file', name: 'file', accept: '.ndjson,.jsonl,application/x-ndjson', id: 'import-file' });
  const out = h('div', { id: 'import-result' });
  const form = h('form', { class: 'card form', id: 'import-form' },
    field('NDJSON 文件', file, '每行一个资源（JSON 对象，字段同“发布资源”）；带 external_id 的行会更新已导入的同编号资源，坏行不影响其他行。'),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, '上传并导入')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = file.files && file.files[0];
    clear(out);
    if (!f) { out.append(h('div', { class: 'alert alert-error' }, '请先选择一个 .ndjson 文件')); return; }
    const btn = form.querySelector('button');
    btn.disabled = true;
    out.append(loading(`正在导入 ${f.name}（${(f.size / 1024).toFixed(1)} KB）…`));
    try {
      const text = await f.text();
      const res = await request('POST', '/v1/resources:bulk', { raw: text, contentType: 'application/x-ndjson' });
      if (!ctx.alive()) return;
      clear(out).append(importResult(res, text));
    } catch (err) {
      if (ctx.alive()) clear(out).append(errorBox(err));
    } finally {
      btn.disabled = false;
    }
  });
  view.append(pageHeader('批量导入', '一次上传一个 NDJSON 文件，把资源目录同步到资源池。'), form, out);
}

function importResult(res, text) {
  const lines = text.split('\n');
  const errors = res.errors || [];
  return h('section', { class: 'card' },
    h('h3', null, '导入结果'),
    h('div', { class: 'stats-row' },
      h('div', { class: 'stat' }, h('strong', { id: 'import-created' }, String(res.created || 0)), h('span', null, '新建')),
      h('div', { class: 'stat' }, h('strong', { id: 'import-updated' }, String(res.updated || 0)), h('span', null, '更新')),
      h('div', { class: `stat ${res.failed ? 'stat-bad' : ''}` }, h('strong', { id: 'import-failed' }, String(res.failed || 0)), h('span', null, '失败'))),
    errors.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'import-errors' },
      h('thead', null, h('tr', null, h('th', null, '行号'), h('th', null, '错误'), h('th', null, '内容'))),
      h('tbody', null, errors.map((e) => {
        const er = e.error || {};
        const content = (lines[e.line - 1] || '').slice(0, 120);
        return h('tr', null, h('td', null, String(e.line)),
          h('td', null, h('div', { class: 'import-error' }, errorLead(er)),
            er.message ? h('div', { class: 'muted small' }, er.message) : null),
          h('td', { class: 'mono small' }, content));
      })))) : h('p', { class: 'ok' }, '全部成功。'));
}

export async function opportunitiesPage(view, params, ctx) {
  if (needProvider(view, '商机')) return;
  const body = h('div', { id: 'opportunities' }, loading('正在为您的每项资源查找合适的需求…'));
  const accepted = h('section', { id: 'accepted' });
  view.append(pageHeader('商机', '与您的资源匹配的开放需求，按匹配度排序；企业接受响应后可看到联系方式。'), accepted, body);
  const mine = (await listAll('/v1/resources', { provider: state.me.org.id }, 200)).filter((r) => r.status !== 'withdrawn');
  if (!ctx.alive()) return;
  drawAccepted(accepted, ctx);
  if (!mine.length) {
    clear(body).append(emptyState('还没有已发布的资源', '发布资源后，这里会出现与之匹配的企业需求。', h('a', { class: 'btn btn-primary', href: '#/provider/resources/new' }, '发布资源')));
    return;
  }
  // One request per resource, a few at a time.
  const byNeed = new Map();
  const queue = [...mine];
  const failures = [];
  async function worker() {
    while (queue.length) {
      const r = queue.shift();
      try {
        const res = await api.get(`/v1/resources/${encodeURIComponent(r.id)}/needs`, { explain: 1, limit: 10 });
        for (const n of res.needs || []) {
          const key = n.need.id;
          if (!byNeed.has(key)) byNeed.set(key, { need: n.need, fits: [] });
          byNeed.get(key).fits.push({ resource: r, score: scoreOf(n), explain: n.explain });
        }
      } catch (err) {
        failures.push(err);
      }
    }
  }
  await Promise.all([1, 2, 3, 4].map(worker));
  if (!ctx.alive()) return;
  clear(body);
  if (failures.length && !byNeed.size) { body.append(errorBox(failures[0], () => ctx.rerender())); return; }
  const list = [...byNeed.values()].map((x) => ({ ...x, best: Math.max(...x.fits.map((f) => f.score)) }))
    .sort((a, b) => b.best - a.best);
  body.append(h('p', { class: 'muted' }, `您的 ${mine.length} 项资源共匹配到 ${list.length} 个开放需求。`));
  if (!list.length) body.append(emptyState('暂时没有匹配的开放需求', '完善资源的行业、场景和地区信息有助于被匹配。'));
  for (const item of list) body.append(opportunityCard(item, mine));
}

function opportunityCard(item, mine) {
  const n = item.need;
  const fits = item.fits.sort((a, b) => b.score - a.score);
  const top = fits[0];
  const respondBox = h('div');
  const btn = h('button', { class: 'btn btn-small btn-primary', type: 'button', 'data-action': 'respond' }, '响应');
  btn.addEventListener('click', () => {
    btn.remove();
    const ordered = [...fits.map((f) => f.resource), ...mine.filter((r) => !fits.some((f) => f.resource.id === r.id))];
    respondBox.append(respondForm(n, ordered, () => { clear(respondBox).append(h('p', { class: 'ok' }, '已响应，等待企业确认。')); }));
  });
  return h('article', { class: 'card opportunity', 'data-id': n.id },
    h('div', { class: 'match-head' },
      h('div', { class: 'match-title' },
        h('a', { class: 'hit-title', href: `#/needs/${encodeURIComponent(n.id)}` }, n.title),
        h('div', { class: 'muted' }, [n.enterprise && n.enterprise.name, n.region, n.budget ? `预算 ${money(n.budget.max)}` : null, dateText(n.created_at)].filter(Boolean).join(' · '))),
      h('div', { class: 'match-score' }, h('strong', null, `${Math.round(item.best * 100)}`), h('span', null, '匹配度'))),
    h('div', { class: 'hit-chips' }, h('span', { class: 'chip' }, nameOf('industry', n.industry)), chips('scenario', n.scenarios, 'chip-alt')),
    n.description ? h('p', { class: 'hit-summary' }, n.description.length > 160 ? n.description.slice(0, 160) + '…' : n.description) : null,
    h('div', { class: 'small' }, '最匹配的资源：', fits.slice(0, 3).map((f, i) => [i ? '、' : '', h('a', { href: `#/resources/${encodeURIComponent(f.resource.id)}` }, f.resource.title), `（${Math.round(f.score * 100)}）`]),
      fits.length > 3 ? h('span', { class: 'muted' }, ` 等 ${fits.length} 项`) : null),
    top.explain ? h('details', { class: 'why' }, h('summary', null, '匹配理由（最佳资源）'), scoreBar(top.explain, top.score), explainBars(top.explain)) : null,
    h('div', { class: 'form-actions' }, btn), respondBox);
}

async function drawAccepted(box, ctx) {
  try {
    const items = (await api.get('/v1/needs', { status: 'matched', limit: 50 })).items || [];
    const withContact = items.filter((n) => n.contact);
    if (!ctx.alive() || !withContact.length) return;
    box.append(h('div', { class: 'card accepted' }, h('h3', null, `已接受您响应的需求（${withContact.length}）`),
      withContact.map((n) => h('div', { class: 'accepted-item' },
        h('a', { href: `#/needs/${encodeURIComponent(n.id)}` }, n.title), needSummary(n)))));
  } catch { /* optional panel */ }
}
