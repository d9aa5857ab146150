// assess.js - 评估诊断 for an SME owner: the list of the enterprise's
// assessments (开始评估 / 继续填写) and the assessment itself, filled in
// alone in about fifteen minutes: one group of the instrument at a time,
// plain-Chinese choices, the four-step ladder of every scene as choices,
// evidence figures beside their question, the running score the server
// computes, and every change saved as a draft (PATCH, If-Match) as it
// goes.  The scorecard, gaps and the centers' pages are scorecard.js and
// enterprises.js; the instrument comes from GET /v1/instruments/{code}.

import { api, FIELD_TEXT } from './api.js';
import {
  state, h, clear, add, badge, dateText, pageHeader, toast, emptyState, loading, canRole, levelText,
  STATUS_TEXT,
} from './ui.js';

// Chinese for the statuses and fields this part of the API adds.
export const ASSESS_STATUS = { draft: '草稿', submitted: '待核验', verified: '已核验' };
export const MODE_TEXT = { self: '企业自评', onsite: '现场评定' };
Object.assign(STATUS_TEXT, { draft: '草稿', submitted: '待核验', verified: '已核验' });
Object.assign(FIELD_TEXT, {
  answers: '评估答案', scenes: '场景等级', evidence: '佐证数据', instrument: '评估指标', mode: '评估方式',
  note: '备注', org_id: '企业', uscc: '统一社会信用代码', province: '省份', city: '城市', district: '区县',
  gbt4754: '国民经济行业分类', size: '企业规模', above_scale: '规上企业', employees: '员工人数',
  revenue: '上年营业收入', specialized: '专精特新', certificates: '资质证书', target: '目标等级',
  name: '企业名称', score: '得分', level: '等级', level_check: '等级判定',
});

const instruments = new Map();

// fn() ms after the last schedule(); flush() runs it now (awaitable).
function saver(fn, ms) {
  let t = null;
  let running = Promise.resolve();
  const run = () => { t = null; running = running.then(fn, fn); return running; };
  return {
    schedule() { clearTimeout(t); t = setTimeout(run, ms); },
    flush() { if (t) { clearTimeout(t); return run(); } return running; },
  };
}

// The instrument (cached for the page's life).
export async function getInstrument(code) {
  if (!instruments.has(code)) instruments.set(code, await api.get(`/v1/instruments/${encodeURIComponent(code)}`));
  return instruments.get(code);
}

// 一级…四级, and 未达一级 for level 0.
export function levelName(n, inst) {
  if (!n) return '未达一级';
  return (inst && inst.level_names && inst.level_names[String(n)]) || levelText(n);
}

export function levelBadge(n, inst, extra = '') {
  return badge(levelName(n, inst), `level-badge level-${n || 0} ${extra}`);
}

export function fmtScore(x) {
  const n = Number(x) || 0;
  return Number.isInteger(n) ? String(n) : n.toFixed(n * 100 % 1 ? 3 : 2).replace(/0+$/, '');
}

// The steps of the questionnaire: one per group of questions, one per
// group of scenes, and a last one to submit.
export function stepsOf(inst) {
  const steps = [];
  for (const d of inst.dimensions) {
    for (const g of d.groups) steps.push({ kind: 'questions', title: g.name, dim: d.name, points: g.points, questions: g.questions });
  }
  const byGroup = new Map();
  for (const s of inst.scenes) {
    if (!byGroup.has(s.group)) byGroup.set(s.group, []);
    byGroup.get(s.group).push(s);
  }
  for (const [g, scenes] of byGroup) steps.push({ kind: 'scenes', title: g, dim: '数字化经营', scenes });
  steps.push({ kind: 'submit', title: '检查并提交' });
  return steps;
}

export async function assessListPage(view, params, ctx) {
  if (!state.me) {
    view.append(pageHeader('评估诊断'), emptyState('请先登录', '评估诊断由企业自己填写，数促中心核验。', h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  if (!canRole('enterprise')) { location.replace('#/verify'); return; }
  view.append(loading());
  const [list, insts] = await Promise.all([api.get('/v1/assessments', { limit: 50 }), api.get('/v1/instruments')]);
  if (!ctx.alive()) return;
  clear(view);
  const inst = insts.items[0];
  const draft = list.items.find((a) => a.status === 'draft');
  const start = h('button', { class: 'btn btn-primary', type: 'button', id: 'assess-start' }, draft ? '继续填写草稿' : '开始评估');
  start.addEventListener('click', async () => {
    if (draft) { location.hash = `#/assess/${encodeURIComponent(draft.id)}/fill`; return; }
    start.disabled = true;
    try {
      const a = await api.post('/v1/assessments', { instrument: inst.code });
      location.hash = `#/assess/${encodeURIComponent(a.id)}/fill`;
    } catch (err) {
      start.disabled = false;
      toast(err.message, 'error');
    }
  });
  view.append(pageHeader('评估诊断', `按《${inst.name}》自评：${inst.questions} 道题、${inst.scenes} 个经营场景，约 15 分钟，随填随存；提交后由数促中心核验，核验后的等级记入企业档案。`, start));
  const box = h('div', { id: 'assess-list' });
  view.append(box);
  if (!list.items.length) {
    box.append(emptyState('还没有评估记录', '点“开始评估”，按实际情况逐组选择即可，中途离开不会丢失。'));
    return;
  }
  for (const a of list.items) box.append(assessCard(a));
}

export function assessCard(a) {
  const id = encodeURIComponent(a.id);
  return h('article', { class: 'card assess-card', 'data-id': a.id },
    h('div', { class: 'assess-card-main' },
      h('div', { class: 'assess-score' }, h('strong', null, fmtScore(a.score.total)), h('span', null, '分')),
      h('div', null,
        h('div', null, badge(ASSESS_STATUS[a.status] || a.status, `astatus-${a.status}`), ' ',
          a.status === 'verified' ? levelBadge(a.level) : h('span', { class: 'muted small' }, `自评 ${levelName(a.level)}`),
          ' ', h('span', { class: 'muted small' }, MODE_TEXT[a.mode] || a.mode)),
        h('div', { class: 'muted small' }, a.org.name, ' · 创建于 ', dateText(a.created_at),
          a.verified_at ? ` · 核验于 ${dateText(a.verified_at)}` : '', a.submitted_at && !a.verified_at ? ` · 提交于 ${dateText(a.submitted_at)}` : ''))),
    h('div', { class: 'form-actions' },
      a.status === 'draft' ? h('a', { class: 'btn btn-small btn-primary', href: `#/assess/${id}/fill` }, '继续填写') : null,
      h('a', { class: 'btn btn-small', href: `#/assess/${id}` }, '成绩单'),
      h('a', { class: 'btn btn-small', href: `#/assess/${id}/gaps` }, '差距分析')));
}

// ------------------------------------------------------------ the questionnaire

export async function assessFormPage(view, [id], ctx) {
  view.append(loading());
  const a = await api.get(`/v1/assessments/${encodeURIComponent(id)}`);
  const inst = await getInstrument(a.instrument);
  if (!ctx.alive()) return;
  clear(view);
  const back = h('p', { class: 'crumbs' }, h('a', { href: '#/assess' }, '评估诊断'), ' / 填写评估');
  const mine = state.me && a.created_by.org.id === state.me.org.id;
  if (a.status !== 'draft' || !mine) {
    view.append(back, pageHeader('填写评估'), emptyState(a.status !== 'draft' ? '这份评估已提交，不能再修改' : '这份评估由其他机构创建，只能查看',
      null, h('a', { class: 'btn', href: `#/assess/${encodeURIComponent(id)}` }, '查看成绩单')));
    return;
  }
  const st = { answers: { ...a.answers }, scenes: { ...a.scenes }, evidence: JSON.parse(JSON.stringify(a.evidence || {})), version: a.version, a };
  const pending = { answers: new Set(), scenes: new Set(), evidence: new Set() };
  const steps = stepsOf(inst);
  let cur = 0;
  const stepper = h('ol', { class: 'stepper', id: 'assess-steps' });
  const body = h('div', { id: 'assess-step' });
  const saveState = h('span', { class: 'muted small', id: 'save-state' }, '已自动保存');
  const panel = h('aside', { class: 'card score-panel', id: 'score-panel' });
  view.append(back, pageHeader(`评估诊断 · ${inst.name}`, '每组几道题，按企业实际情况选择；每一步都会自动保存，可以随时离开再回来。'),
    h('div', { class: 'two-col assess-layout' }, h('div', null, stepper, body), panel));

  const done = (s) => (s.kind === 'questions' ? s.questions.every((q) => st.answers[q.code])
    : s.kind === 'scenes' ? s.scenes.every((x) => st.scenes[x.code] !== undefined) : false);

  function drawPanel() {
    const cur2 = st.a;
    const dims = inst.dimensions.map((d) => h('div', { class: 'dim-row' },
      h('span', null, d.name), h('span', { class: 'dim-bar' }, h('i', { style: { width: `${Math.round(100 * (cur2.score.dimensions[d.name] || 0) / d.points)}%` } })),
      h('span', { class: 'muted small' }, `${fmtScore(cur2.score.dimensions[d.name] || 0)}/${d.points}`)));
    const qDone = inst.dimensions.flatMap((d) => d.groups.flatMap((g) => g.questions)).filter((q) => st.answers[q.code]).length;
    const sDone = inst.scenes.filter((s) => st.scenes[s.code] !== undefined).length;
    add(clear(panel), h('h3', null, '当前得分'),
      h('div', { class: 'big-score', id: 'running-score' }, h('strong', null, fmtScore(cur2.score.total)), h('span', null, ` / ${inst.total} 分`)),
      h('div', null, '按目前填写：', levelBadge(cur2.level, inst)),
      dims,
      h('p', { class: 'small muted' }, `已答 ${qDone}/${inst.dimensions.reduce((n, d) => n + d.groups.reduce((m, g) => m + g.questions.length, 0), 0)} 题，已选 ${sDone}/${inst.scenes.length} 个场景`),
      saveState);
  }

  const save = saver(async () => {
    const patch = {};
    for (const part of ['answers', 'scenes', 'evidence']) {
      if (!pending[part].size) continue;
      patch[part] = {};
      for (const k of pending[part]) patch[part][k] = st[part][k] === undefined ? null : st[part][k];
      pending[part].clear();
    }
    if (!Object.keys(patch).length) return;
    saveState.textContent = '正在保存…';
    try {
      const r = await api.patch(`/v1/assessments/${encodeURIComponent(id)}`, patch, { headers: { 'If-Match': `"${st.version}"` } });
      st.version = r.version;
      st.a = r;
      if (!ctx.alive()) return;
      drawPanel();
      saveState.textContent = `已保存 ${dateText(r.updated_at).slice(11)}`;
      drawStepper();
    } catch (err) {
      if (!ctx.alive()) return;
      if (err.status === 409) { toast('这份评估在别处被修改过，已重新载入', 'error'); ctx.rerender(); return; }
      saveState.textContent = '保存失败';
      toast(err.message, 'error');
    }
  }, 500);
  const changed = (part, key) => { pending[part].add(key); saveState.textContent = '有未保存的修改…'; save.schedule(); };

  function drawStepper() {
    clear(stepper);
    steps.forEach((s, i) => {
      const li = h('li', { class: `${i === cur ? 'current' : ''} ${done(s) ? 'done' : ''}` },
        h('button', { type: 'button', class: 'step-btn', onclick: () => go(i) }, h('span', { class: 'step-no' }, String(i + 1)), s.title));
      stepper.append(li);
    });
  }

  function go(i) {
    save.flush();
    cur = Math.max(0, Math.min(steps.length - 1, i));
    drawStepper();
    drawStep();
    window.scrollTo(0, 0);
  }

  function drawStep() {
    const s = steps[cur];
    clear(body);
    const head = h('div', { class: 'step-head' }, h('h2', null, s.title), h('span', { class: 'muted small' }, s.kind === 'questions' ? `${s.dim} · 本组 ${s.points} 分` : s.kind === 'scenes' ? '数字化经营 · 选出每个场景目前做到的程度' : ''));
    body.append(head);
    if (s.kind === 'questions') for (const q of s.questions) body.append(questionCard(q));
    if (s.kind === 'scenes') for (const x of s.scenes) body.append(sceneCard(x));
    if (s.kind === 'submit') body.append(submitCard());
    body.append(h('div', { class: 'form-actions step-nav' },
      cur > 0 ? h('button', { class: 'btn', type: 'button', id: 'step-prev', onclick: () => go(cur - 1) }, '上一步') : null,
      cur < steps.length - 1 ? h('button', { class: 'btn btn-primary', type: 'button', id: 'step-next', onclick: () => go(cur + 1) }, '下一步') : null));
  }

  function questionCard(q) {
    const multi = q.type === 'multi';
    const picked = new Set(st.answers[q.code] || []);
    const box = h('div', { class: 'options' });
    const inputs = [];
    for (const o of q.options) {
      const input = h('input', { type: multi ? 'checkbox' : 'radio', name: `q-${q.code}`, value: o.id, checked: picked.has(o.id) });
      inputs.push([input, o]);
      box.append(h('label', { class: `option ${o.exclusive ? 'option-none' : ''}` }, input, h('span', null, o.text)));
    }
    box.addEventListener('change', (e) => {
      const t = e.target;
      if (multi) {
        const ex = inputs.find(([, o]) => o.exclusive);
        if (t.checked && ex && t.value === ex[1].id) inputs.forEach(([i]) => { if (i !== t) i.checked = false; });
        else if (t.checked && ex) ex[0].checked = false;
      }
      const vals = inputs.filter(([i]) => i.checked).map(([, o]) => o.id);
      if (vals.length) st.answers[q.code] = vals; else delete st.answers[q.code];
      changed('answers', q.code);
    });
    const figs = (q.evidence || []).map((f) => {
      const val = ((st.evidence[q.code] || {})[f.key]);
      const input = h('input', { type: 'number', min: 0, step: 'any', name: `ev-${q.code}-${f.key}`, value: val === undefined ? '' : String(val), inputmode: 'decimal' });
      input.addEventListener('change', () => {
        const ev = { ...(st.evidence[q.code] || {}) };
        if (input.value.trim() === '') delete ev[f.key]; else ev[f.key] = Number(input.value);
        if (Object.keys(ev).length) st.evidence[q.code] = ev; else delete st.evidence[q.code];
        changed('evidence', q.code);
      });
      return h('label', { class: 'field figure' }, h('span', { class: 'field-label' }, f.label), input);
    });
    return h('section', { class: 'card question', 'data-field': `answers.${q.code}`, id: `q-${q.code}` },
      h('div', { class: 'question-head' }, h('h3', null, q.name), h('span', { class: 'muted small' }, `${q.points} 分 · ${multi ? '可多选' : '单选'}`)),
      h('p', { class: 'question-text' }, q.text),
      q.help ? h('p', { class: 'muted small' }, q.help) : null,
      h('div', { class: figs.length ? 'question-body with-figures' : 'question-body' }, box,
        figs.length ? h('div', { class: 'figures', 'data-field': `evidence.${q.code}` }, h('div', { class: 'small muted' }, '佐证数据（选填，供数促中心核验）'), figs) : null));
  }

  function sceneCard(x) {
    const cur2 = st.scenes[x.code];
    const opts = h('div', { class: 'options ladder' });
    const mk = (v, text) => h('label', { class: 'option' },
      h('input', { type: 'radio', name: `s-${x.code}`, value: String(v), checked: cur2 === v }),
      h('span', null, v ? h('strong', null, `${levelName(v, inst)}：`) : null, text));
    opts.append(mk(0, '尚未开展，达不到第一级的要求'));
    x.ladder.forEach((t, i) => opts.append(mk(i + 1, t)));
    opts.addEventListener('change', (e) => { st.scenes[x.code] = Number(e.target.value); changed('scenes', x.code); });
    return h('section', { class: 'card question scene', 'data-field': `scenes.${x.code}`, id: `s-${x.code}` },
      h('div', { class: 'question-head' }, h('h3', null, x.name), x.constrained ? badge('约束性场景', 'constrained') : null),
      opts);
  }

  function submitCard() {
    const missing = st.a.missing || { questions: [], scenes: [] };
    const names = {};
    inst.dimensions.forEach((d) => d.groups.forEach((g) => g.questions.forEach((q) => { names[q.code] = q.name; })));
    inst.scenes.forEach((x) => { names[x.code] = x.name; });
    const stepOf = (code) => steps.findIndex((s) => (s.questions || []).some((q) => q.code === code) || (s.scenes || []).some((x) => x.code === code));
    const list = [...missing.questions, ...missing.scenes];
    const btn = h('button', { class: 'btn btn-primary', type: 'button', id: 'assess-submit', disabled: list.length > 0 }, '提交评估');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await save.flush();
        const r = await api.post(`/v1/assessments/${encodeURIComponent(id)}/submit`, {}, { headers: { 'If-Match': `"${st.version}"` } });
        toast('评估已提交，等待数促中心核验', 'success');
        location.hash = `#/assess/${encodeURIComponent(r.id)}`;
      } catch (err) {
        btn.disabled = false;
        toast(err.message, 'error');
        if (err.status === 409) ctx.rerender();
      }
    });
    return h('section', { class: 'card' },
      list.length ? h('div', { class: 'alert', id: 'assess-missing' }, `还有 ${list.length} 项未填写：`,
        list.map((c, i) => [i ? '、' : '', h('button', { type: 'button', class: 'link-btn', onclick: () => go(stepOf(c)) }, names[c] || c)]))
        : h('p', null, '全部题目和场景都已填写。提交后，数促中心会核验您的答案（可能上门核实），核验通过的等级记入企业档案。'),
      h('p', { class: 'muted small' }, `当前得分 ${fmtScore(st.a.score.total)} 分，自评等级：${levelName(st.a.level, inst)}。`),
      h('div', { class: 'form-actions' }, btn, h('a', { class: 'btn', href: `#/assess/${encodeURIComponent(id)}` }, '先看成绩单')));
  }

  drawPanel();
  drawStepper();
  const first = steps.findIndex((s) => s.kind !== 'submit' && !done(s));
  go(first < 0 ? steps.length - 1 : first);
}
