// scorecard.js - an assessment's 成绩单 and its 差距分析.
//
// The scorecard: the total and the level badge, a radar chart (ECharts,
// loaded as the dashboard loads it) of the three scored dimensions as a
// share of their points, the 16 scenes × 4 steps grid with the
// enterprise's step filled and the constrained scenes marked, what is
// missing for the next level (from the server's level_check), the points
// per question, and the history.  For a center and a submitted
// assessment: 核验 (with scene corrections) and 退回.
//
// The gaps: GET …/gaps?target=N — points and scenes missing, each scene
// below the target with its next step and three fitting resources — and
// 生成需求 (POST …/needs), whose draft needs can be published at once.

import { api } from './api.js';
import {
  state, h, clear, badge, dateText, money, pageHeader, field, select, toast, emptyState, loading,
  canRole, hashQuery, ROLE_TEXT, STATUS_TEXT,
} from './ui.js';
import { loadEcharts } from './dashboard.js';
import { getInstrument, levelName, levelBadge, fmtScore, ASSESS_STATUS, MODE_TEXT } from './assess.js';

function crumbs(a, here) {
  const mine = state.me && state.me.org.id === a.org.id;
  return h('p', { class: 'crumbs' }, mine ? h('a', { href: '#/assess' }, '评估诊断')
    : h('a', { href: `#/enterprises/${encodeURIComponent(a.org.id)}` }, a.org.name), ` / ${here}`);
}

function who(by) {
  if (!by || typeof by !== 'object') return '系统';
  const user = by.user && by.user.name ? `（${by.user.name}）` : '';
  return `${by.org.name}${user} · ${ROLE_TEXT[by.role] || by.role}`;
}

export async function scorecardPage(view, [id], ctx) {
  view.append(loading());
  const a = await api.get(`/v1/assessments/${encodeURIComponent(id)}`);
  const inst = await getInstrument(a.instrument);
  if (!ctx.alive()) return;
  clear(view);
  const enc = encodeURIComponent(id);
  const mine = state.me && a.created_by.org.id === state.me.org.id;
  view.append(crumbs(a, '成绩单'),
    pageHeader(`${a.org.name} · 评估成绩单`, `${inst.name} · ${MODE_TEXT[a.mode] || a.mode} · ${ASSESS_STATUS[a.status] || a.status}`,
      a.status === 'draft' && mine ? h('a', { class: 'btn btn-primary', href: `#/assess/${enc}/fill` }, '继续填写') : null,
      h('a', { class: 'btn', href: `#/assess/${enc}/gaps`, id: 'to-gaps' }, '差距分析')));
  const radar = h('div', { class: 'chart radar', id: 'chart-radar' });
  const head = h('section', { class: 'card scorecard-head', id: 'scorecard' },
    h('div', { class: 'total' }, h('strong', { id: 'score-total' }, fmtScore(a.score.total)), h('span', null, ` / ${inst.total} 分`)),
    h('div', { class: 'level' }, levelBadge(a.level, inst, 'big'),
      h('div', { class: 'muted small' }, a.status === 'verified' ? `数促中心核验于 ${dateText(a.verified_at)}` : '自评结果，尚未核验')),
    nextLevel(a, inst));
  view.append(h('div', { class: 'two-col two-col-wide' },
    h('div', null, head, sceneGrid(a, inst), questionTable(a, inst)),
    h('aside', null, h('section', { class: 'card' }, h('h3', null, '三个维度'), radar),
      canRole('center') && a.status === 'submitted' ? verifyPanel(a, inst, ctx) : null,
      history(a, inst))));
  try {
    const echarts = await loadEcharts();
    if (!ctx.alive()) return;
    const chart = echarts.init(radar, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      color: ['#1d4ed8'],
      radar: { indicator: inst.dimensions.map((d) => ({ name: d.name, max: 100 })), radius: '62%', splitNumber: 4 },
      series: [{ type: 'radar', areaStyle: { opacity: 0.25 },
        data: [{ name: '得分率', value: inst.dimensions.map((d) => Math.round(100 * (a.score.dimensions[d.name] || 0) / d.points)) }] }],
      tooltip: {},
    });
  } catch (err) {
    radar.replaceWith(h('p', { class: 'muted small' }, err.message));
  }
}

function nextLevel(a, inst) {
  const next = a.level + 1;
  const c = a.level_check[String(next)];
  if (!c) return h('div', { class: 'next-level' }, h('strong', null, '已达到最高等级'));
  const row = (ok, text) => h('li', { class: ok ? 'ok' : 'miss' }, ok ? '✓ ' : '✗ ', text);
  return h('div', { class: 'next-level', id: 'next-level' },
    h('strong', null, `距${levelName(next, inst)}还差：`),
    h('ul', null,
      row(c.score, c.score ? `得分 ${fmtScore(a.score.total)} 已达 ${c.min_score} 分` : `得分还差 ${fmtScore(c.min_score - a.score.total)} 分（需 ${c.min_score} 分）`),
      row(c.scenes, `达到第${next}级的场景 ${c.scenes_at_level} 个，需 ${c.min_scenes} 个`),
      row(c.constrained, `其中约束性场景 ${c.constrained_at_level} 个，需 ${c.min_constrained} 个`)));
}

function sceneGrid(a, inst) {
  const table = h('table', { class: 'scene-grid', id: 'scene-grid' },
    h('thead', null, h('tr', null, h('th', null, '经营场景'), [1, 2, 3, 4].map((k) => h('th', null, levelName(k, inst))))));
  const body = h('tbody');
  let group = null;
  for (const s of inst.scenes) {
    if (s.group !== group) {
      group = s.group;
      body.append(h('tr', { class: 'grid-group' }, h('td', { colspan: 5 }, group)));
    }
    const step = a.scenes[s.code];
    body.append(h('tr', { 'data-scene': s.code, class: s.constrained ? 'constrained' : '' },
      h('th', { scope: 'row' }, s.name, s.constrained ? h('span', { class: 'star', title: '约束性场景' }, ' ★') : null,
        step === undefined ? h('span', { class: 'muted small' }, '（未填）') : null),
      s.ladder.map((text, i) => h('td', { class: step >= i + 1 ? 'on' : '', title: text }, step === i + 1 ? '●' : ''))));
  }
  table.append(body);
  return h('section', { class: 'card' }, h('h3', null, '场景分级（16 × 4）'),
    h('p', { class: 'muted small' }, '蓝色为企业已达到的级别，★ 为约束性场景；鼠标停在格子上可看该级要求。'), h('div', { class: 'table-wrap' }, table));
}

function questionTable(a, inst) {
  const rows = [];
  for (const d of inst.dimensions) {
    rows.push(h('tr', { class: 'grid-group' }, h('td', { colspan: 2 }, d.name), h('td', { class: 'num' }, `${fmtScore(a.score.dimensions[d.name] || 0)} / ${d.points}`)));
    for (const g of d.groups) {
      for (const q of g.questions) {
        const got = a.score.questions[q.code];
        rows.push(h('tr', null, h('td', null, g.name), h('td', null, q.name),
          h('td', { class: 'num' }, got === undefined ? h('span', { class: 'muted' }, '未答') : `${fmtScore(got)} / ${q.points}`)));
      }
    }
  }
  return h('section', { class: 'card' }, h('h3', null, '各题得分'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' }, h('tbody', null, rows))));
}

function history(a, inst) {
  const names = Object.fromEntries(inst.scenes.map((s) => [s.code, s.name]));
  return h('section', { class: 'card', id: 'assess-history' }, h('h3', null, '记录'),
    h('ol', { class: 'timeline' }, a.revisions.map((r) => h('li', null,
      h('div', null, h('strong', null, r.from ? `${ASSESS_STATUS[r.from]} → ${ASSESS_STATUS[r.to]}` : '创建'), ' ',
        h('span', { class: 'muted small' }, dateText(r.at))),
      h('div', { class: 'small muted' }, who(r.by)),
      r.reason && r.reason !== 'created' ? h('div', { class: 'small' }, r.reason) : null,
      r.scene_corrections ? h('div', { class: 'small corrections' }, '场景核定：',
        Object.entries(r.scene_corrections).map(([code, c], i) => [i ? '；' : '', names[code] || code, ` 自评 ${c.claimed ?? '未填'} 级 → 核定 ${c.verified} 级`])) : null))));
}

function verifyPanel(a, inst, ctx) {
  const enc = encodeURIComponent(a.id);
  const selects = inst.scenes.map((s) => {
    const sel = select(`fix-${s.code}`, [0, 1, 2, 3, 4].map((v) => [String(v), `${v} 级`]), String(a.scenes[s.code] ?? 0), { 'aria-label': s.name });
    return [s, sel];
  });
  const note = h('textarea', { name: 'note', rows: 2, maxlength: 500, placeholder: '核验意见，例如：现场查看了MES报工记录' });
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 500, placeholder: '退回原因（必填），例如：缺少能耗台账' });
  const verify = h('button', { class: 'btn btn-primary', type: 'button', id: 'verify-btn' }, '核验通过');
  const ret = h('button', { class: 'btn btn-danger', type: 'button', id: 'return-btn' }, '退回修改');
  const headers = { 'If-Match': `"${a.version}"` };
  verify.addEventListener('click', async () => {
    const scenes = {};
    for (const [s, sel] of selects) if (Number(sel.value) !== (a.scenes[s.code] ?? 0)) scenes[s.code] = Number(sel.value);
    verify.disabled = true;
    try {
      await api.post(`/v1/assessments/${enc}/verify`, { scenes, note: note.value.trim() || undefined }, { headers });
      toast('已核验，等级已记入企业档案', 'success');
      ctx.rerender();
    } catch (err) { verify.disabled = false; toast(err.message, 'error'); }
  });
  ret.addEventListener('click', async () => {
    if (!reason.value.trim()) { toast('请填写退回原因', 'error'); reason.focus(); return; }
    ret.disabled = true;
    try {
      await api.post(`/v1/assessments/${enc}/return`, { reason: reason.value.trim() }, { headers });
      toast('已退回企业修改', 'success');
      ctx.rerender();
    } catch (err) { ret.disabled = false; toast(err.message, 'error'); }
  });
  return h('section', { class: 'card verify-panel', id: 'verify-panel' }, h('h3', null, '核验'),
    h('p', { class: 'muted small' }, '现场核实后，可调整各场景的级别（只改不一致的），记录会同时保留企业自评和中心核定的级别。'),
    h('details', null, h('summary', null, '调整场景级别'),
      h('div', { class: 'fix-grid' }, selects.map(([s, sel]) => h('label', { class: 'field' }, h('span', { class: 'field-label small' }, s.name), sel)))),
    field('核验意见', note), h('div', { class: 'form-actions' }, verify),
    field('退回原因', reason), h('div', { class: 'form-actions' }, ret));
}

// ------------------------------------------------------------ gaps

export async function gapsPage(view, [id], ctx) {
  view.append(loading());
  const enc = encodeURIComponent(id);
  const q = hashQuery();
  const a = await api.get(`/v1/assessments/${enc}`);
  const inst = await getInstrument(a.instrument);
  const g = await api.get(`/v1/assessments/${enc}/gaps`, { target: q.get('target') || undefined });
  if (!ctx.alive()) return;
  clear(view);
  const targetSel = select('target', inst.level_rules.map((r) => [String(r.level), levelName(r.level, inst)]), String(g.target), { id: 'gap-target', 'aria-label': '目标等级' });
  targetSel.addEventListener('change', () => { location.hash = `#/assess/${enc}/gaps?target=${targetSel.value}`; });
  view.append(crumbs(a, '差距分析'),
    pageHeader(`差距分析：从${levelName(g.level, inst)}到${g.target_name}`, '列出还没达到目标的场景（约束性场景在前）、每个场景的下一步该做什么，以及最合适的三个解决方案。', h('label', { class: 'inline-field' }, '目标等级 ', targetSel)));
  const n = g.scenes_needed;
  view.append(h('section', { class: 'card gap-summary', id: 'gap-summary' },
    g.reached ? h('p', null, h('strong', null, `已达到${g.target_name}。`), ' 下面是仍低于该级的场景，可继续提升。')
      : h('ul', { class: 'gap-facts' },
        h('li', null, h('strong', null, g.score.missing ? `还差 ${fmtScore(g.score.missing)} 分` : '得分已达标'), `（目前 ${fmtScore(g.score.total)}，需 ${g.score.min_score}）`),
        h('li', null, h('strong', null, n.missing ? `还需 ${n.missing} 个场景` : '场景数已达标'), `达到第${g.target}级（目前 ${n.at_target}，需 ${n.min_scenes}）`),
        h('li', null, h('strong', null, n.constrained_missing ? `还需 ${n.constrained_missing} 个约束性场景` : '约束性场景已达标'), `（目前 ${n.constrained_at_target}，需 ${n.min_constrained}）`))));
  const list = h('div', { id: 'gap-scenes' });
  if (!g.scenes.length) list.append(emptyState('所有场景都已达到目标级别', null));
  for (const s of g.scenes) {
    list.append(h('article', { class: 'card gap-scene', 'data-scene': s.code },
      h('label', { class: 'gap-pick' }, h('input', { type: 'checkbox', name: 'gap-scene', value: s.code }),
        h('strong', null, s.name), s.constrained ? badge('约束性场景', 'constrained') : null,
        h('span', { class: 'muted small' }, ` ${s.group} · 目前${s.step ? `第${s.step}级` : '未开展'}`)),
      h('p', { class: 'small' }, h('span', { class: 'muted' }, `下一步（第${s.next_step}级）：`), s.next_text),
      s.resources.length ? h('ul', { class: 'gap-resources' }, s.resources.map((r) => h('li', null,
        h('a', { href: `#/resources/${encodeURIComponent(r.id)}` }, r.title), h('span', { class: 'muted small' }, ` · ${r.provider.name}`,
          r.price ? ` · ${money(r.price.min)} 起` : ''))))
        : h('p', { class: 'muted small' }, '资源池暂无合适的方案')));
  }
  const canMake = (state.me && state.me.org.id === a.org.id) || canRole('center');
  const budget = h('input', { type: 'number', name: 'budget', min: 0, step: 1000, placeholder: '每个需求的预算上限（元，选填）' });
  const make = h('button', { class: 'btn btn-primary', type: 'button', id: 'make-needs' }, '生成需求');
  const made = h('div', { id: 'made-needs' });
  make.addEventListener('click', async () => {
    const scenes = [...list.querySelectorAll('input[name=gap-scene]:checked')].map((x) => x.value);
    if (!scenes.length) { toast('请先勾选要改造的场景', 'error'); return; }
    make.disabled = true;
    try {
      const body = { scenes, target: g.target };
      if (budget.value) body.budget = { max: Number(budget.value) };
      const r = await api.post(`/v1/assessments/${enc}/needs`, body);
      toast(`已生成 ${r.items.length} 条需求草稿`, 'success');
      drawMade(made, r.items);
    } catch (err) { toast(err.message, 'error'); } finally { make.disabled = false; }
  });
  view.append(h('div', { class: 'two-col' }, h('div', null, list, questions(g)),
    h('aside', null, canMake ? h('section', { class: 'card', id: 'needs-panel' }, h('h3', null, '把差距变成需求'),
      h('p', { class: 'muted small' }, '勾选左侧场景，为每个场景生成一条需求草稿（行业、地区、规模和当前级别取自企业档案），发布后服务商才能看到并响应。'),
      field('预算上限（元）', budget), h('div', { class: 'form-actions' }, make), made) : null)));
}

function questions(g) {
  if (!g.questions.length) return null;
  return h('section', { class: 'card' }, h('h3', null, '失分最多的题目'),
    h('table', { class: 'table' }, h('tbody', null, g.questions.map((x) => h('tr', null,
      h('td', null, x.dimension, ' · ', x.name), h('td', { class: 'num' }, `${fmtScore(x.score)} / ${x.points}`),
      h('td', { class: 'num muted' }, x.answered ? `差 ${fmtScore(x.missing)}` : '未答'))))));
}

function drawMade(box, needs) {
  clear(box).append(h('h4', null, '已生成的需求草稿'));
  for (const n of needs) {
    const pub = h('button', { class: 'btn btn-small', type: 'button', 'data-need': n.id }, '发布');
    pub.addEventListener('click', async () => {
      pub.disabled = true;
      try {
        await api.patch(`/v1/needs/${encodeURIComponent(n.id)}`, { status: 'open' });
        pub.replaceWith(badge(STATUS_TEXT.open, 'status-open'));
      } catch (err) { pub.disabled = false; toast(err.message, 'error'); }
    });
    box.append(h('div', { class: 'made-need' }, h('a', { href: `#/needs/${encodeURIComponent(n.id)}` }, n.title), ' ', pub));
  }
}
