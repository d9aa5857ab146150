// projects.js - 项目实施 (issue 19): a project's page for each of its
// parties, the list of my projects, and the centers' board.
//
// The project page: the state and the buttons for whoever's turn it is
// (the server's `can` says which moves, and whether the caller signs
// now), the milestones as a timeline (planned, actual, overdue; the
// parties edit the dates), the before/after comparison as two scorecards
// side by side (the two verified assessments: level, score by dimension,
// the 数字化成效 figures, the scene steps), the cost lines by type, the
// O&M tickets (the enterprise opens, the provider answers and closes),
// the history, and for the supervising center the form that publishes
// the accepted project as a case.
//
// The board (centers): every project by state, the ones with a milestone
// past its planned date first (GET /v1/projects?sort=due).

import { api } from './api.js';
import { hoursText } from './cases.js';
import {
  state, h, clear, add, badge, money, dateText, pageHeader, field, select, toast, emptyState,
  loading, canRole, levelText, nameOf, ROLE_TEXT,
} from './ui.js';

export const PROJECT_STATUS = {
  contracted: '已签约', implementing: '实施中', delivered: '已交付', accepted: '已验收',
  disputed: '有争议', cancelled: '已取消',
};
const BOARD_ORDER = ['contracted', 'implementing', 'delivered', 'disputed', 'accepted', 'cancelled'];
const COST_TEXT = {
  software: '软件', cloud: '云服务', hardware: '数据采集硬件', integration: '集成服务', training: '培训', other: '其他',
};
const TICKET_STATUS = { open: '待处理', answered: '已回复', closed: '已关闭' };
const SEVERITY = { low: '低', normal: '一般', high: '高', urgent: '紧急' };
const REASONS = {
  contracted: '签约建档', 'contracted with the campaign': '随集采签约建档', updated: '更新项目信息',
  'signed off by the enterprise': '企业签收', 'signed off by the center': '数促中心签收',
  'published as a case': '发布为优秀案例',
};

export function projectBadge(status) {
  return badge(PROJECT_STATUS[status] || status, `pjstatus-${status}`);
}

function levelOr(n) {
  return n === null || n === undefined ? '—' : (n === 0 ? '未达一级' : levelText(n));
}

function byText(by) {
  if (!by || typeof by !== 'object') return '系统';
  const user = by.user && by.user.name ? `（${by.user.name}）` : '';
  return `${by.org ? by.org.name : ''}${user} · ${ROLE_TEXT[by.role] || by.role}`;
}

// The label of a move from the project's present state.
function moveLabel(from, to) {
  if (to === 'implementing') return { contracted: '开始实施', delivered: '退回整改', disputed: '恢复实施' }[from] || '实施中';
  return { delivered: '确认交付上线', accepted: '确认验收', disputed: '提出争议', cancelled: '取消项目' }[to] || PROJECT_STATUS[to];
}

// ------------------------------------------------------------ the page

export async function projectPage(view, [id], ctx) {
  view.append(loading());
  const p = await api.get(`/v1/projects/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  clear(view);
  const enc = encodeURIComponent(id);
  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/projects' }, canRole('center', 'admin') ? '项目看板' : '我的项目'), ' / 项目'),
    pageHeader(p.title, `${p.enterprise.name} · 服务商 ${p.provider.name}${p.center ? ` · 监理 ${p.center.name}` : ''}`),
    h('div', { class: 'project-state' }, projectBadge(p.status), stepsBar(p.status),
      p.overdue ? badge('里程碑逾期', 'badge-warn') : null),
    actionsBar(p, enc, ctx),
    h('div', { class: 'two-col two-col-wide' },
      h('div', null, milestonesCard(p, enc, ctx), beforeAfterCard(p), ticketsCard(p, enc, ctx), historyCard(p)),
      h('aside', null, infoCard(p), costsCard(p), caseCard(p, enc, ctx))));
}

function stepsBar(status) {
  const steps = ['contracted', 'implementing', 'delivered', 'accepted'];
  const at = steps.indexOf(status);
  return h('ol', { class: 'steps', id: 'project-steps' }, steps.map((s, i) => h('li', {
    class: i < at || status === 'accepted' ? 'done' : i === at ? 'current' : '',
  }, PROJECT_STATUS[s])));
}

// The buttons of whoever's turn it is: sign-off first, then the moves.
function actionsBar(p, enc, ctx) {
  const bar = h('div', { class: 'project-actions', id: 'project-actions' });
  const can = p.can || {};
  const signers = p.signoffs || {};
  if (p.status === 'delivered') {
    bar.append(h('span', { class: 'signoff-state', id: 'signoff-state' },
      `企业签收：${signers.enterprise ? '✓ ' + dateText(signers.enterprise.at) : '待签收'}　`,
      `数促中心签收：${signers.center ? '✓ ' + dateText(signers.center.at) : '待签收'}`));
  }
  if (can.signoff) {
    const who = canRole('center') ? '数促中心' : '企业';
    const btn = h('button', { class: 'btn btn-primary', type: 'button', id: 'project-signoff' }, `${who}签收验收`);
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await api.post(`/v1/projects/${enc}/signoff`, {});
        toast('已签收', 'success');
        ctx.rerender();
      } catch (err) { btn.disabled = false; toast(err.message, 'error'); }
    });
    bar.append(btn);
  }
  const reason = h('input', { name: 'reason', maxlength: 200, placeholder: '原因（提出争议、取消时必填）', class: 'reason-input' });
  let needsReason = false;
  for (const to of can.transitions || []) {
    const primary = ['implementing', 'delivered', 'accepted'].includes(to) && !(to === 'implementing' && p.status === 'delivered');
    const btn = h('button', { class: `btn ${primary ? 'btn-primary' : ''}`, type: 'button', 'data-to': to }, moveLabel(p.status, to));
    if (to === 'disputed' || to === 'cancelled') needsReason = true;
    btn.addEventListener('click', async () => {
      const body = { to };
      if (reason.value.trim()) body.reason = reason.value.trim();
      if ((to === 'disputed' || to === 'cancelled') && !body.reason) {
        reason.classList.add('invalid');
        reason.focus();
        toast('请填写原因', 'error');
        return;
      }
      btn.disabled = true;
      try {
        await api.post(`/v1/projects/${enc}/transition`, body, { headers: { 'If-Match': `"${p.version}"` } });
        toast(`项目：${PROJECT_STATUS[to]}`, 'success');
        ctx.rerender();
      } catch (err) { btn.disabled = false; toast(err.message, 'error'); }
    });
    bar.append(btn);
  }
  if (needsReason) bar.append(reason);
  if (!bar.children.length) bar.append(h('span', { class: 'muted small' }, p.status === 'accepted' ? '项目已验收。' : '目前没有需要您处理的事项。'));
  return bar;
}

function milestonesCard(p, enc, ctx) {
  const edit = p.can && p.can.edit;
  const list = h('ol', { class: 'timeline milestones', id: 'milestones' });
  const inputs = {};
  for (const m of p.milestones) {
    const cls = m.actual ? 'done' : m.overdue ? 'overdue' : '';
    const planned = h('input', { type: 'date', name: `planned-${m.code}`, value: m.planned || '', 'aria-label': `${m.name}计划日期` });
    const actual = h('input', { type: 'date', name: `actual-${m.code}`, value: m.actual || '', 'aria-label': `${m.name}实际日期` });
    inputs[m.code] = [planned, actual, m];
    list.append(h('li', { class: cls, 'data-code': m.code },
      h('strong', null, m.name),
      m.overdue ? badge('逾期', 'badge-warn') : null,
      edit ? h('div', { class: 'milestone-dates' }, h('label', null, '计划 ', planned), h('label', null, '实际 ', actual))
        : h('div', { class: 'muted small' }, `计划 ${m.planned || '未定'} · 实际 ${m.actual || '—'}`)));
  }
  const card = h('section', { class: 'card' }, h('h3', null, '里程碑'), list);
  if (edit) {
    const save = h('button', { class: 'btn btn-small', type: 'button', id: 'milestones-save' }, '保存日期');
    save.addEventListener('click', async () => {
      const milestones = [];
      for (const [code, [planned, actual, m]] of Object.entries(inputs)) {
        const one = { code };
        if (planned.value !== (m.planned || '')) one.planned = planned.value;
        if (actual.value !== (m.actual || '')) one.actual = actual.value;
        if (Object.keys(one).length > 1) milestones.push(one);
      }
      if (!milestones.length) { toast('没有需要保存的变更'); return; }
      save.disabled = true;
      try {
        await api.patch(`/v1/projects/${enc}`, { milestones }, { headers: { 'If-Match': `"${p.version}"` } });
        toast('里程碑已更新', 'success');
        ctx.rerender();
      } catch (err) { save.disabled = false; toast(err.message, 'error'); }
    });
    card.append(h('div', { class: 'form-actions' }, save));
  }
  return card;
}

// One verified assessment as a compact scorecard.
function scorecard(title, snap, id) {
  if (!snap) {
    return h('div', { class: 'scorecard empty-card', id },
      h('h4', null, title),
      h('p', { class: 'muted small' }, title.includes('后') ? '验收时由数促中心现场复评，核验后显示。' : '签约时尚无核验的评估。'));
  }
  const dims = Object.entries(snap.dimensions || {});
  return h('div', { class: 'scorecard', id },
    h('h4', null, title),
    h('div', { class: 'scorecard-level' }, badge(levelOr(snap.level), `level-badge level-${snap.level || 0} big`),
      h('span', { class: 'scorecard-total' }, h('strong', null, Number(snap.total).toFixed(1)), ' 分')),
    h('div', { class: 'muted small' }, `核验于 ${dateText(snap.verified_at)}`),
    h('div', { class: 'pj-dims' }, dims.map(([name, v]) => h('div', { class: 'pj-dim' },
      h('span', { class: 'pj-dim-name' }, name),
      h('span', { class: 'pj-dim-track' }, h('span', { class: 'pj-dim-fill', style: { width: `${Math.min(100, (100 * v) / ((snap.dimension_max || {})[name] || 100))}%` } })),
      h('span', { class: 'pj-dim-value' }, `${Number(v).toFixed(1)} / ${(snap.dimension_max || {})[name] ?? '—'}`)))));
}

function beforeAfterCard(p) {
  const cmp = p.comparison;
  const card = h('section', { class: 'card', id: 'before-after' },
    h('h3', null, '改造前后对比'),
    h('div', { class: 'scorecards' }, scorecard('改造前', p.before, 'scorecard-before'), scorecard('改造后', p.after, 'scorecard-after')));
  if (p.status === 'accepted') {
    card.append(h('p', { class: 'uplift', id: 'uplift' },
      `数字化水平 ${levelOr(p.level_before)} → ${levelOr(p.level_after)}`,
      p.step_gain !== null && p.step_gain !== undefined ? ` · 场景提升 ${p.step_gain} 级` : '',
      p.on_time === true ? ' · 按期上线' : p.on_time === false ? ' · 延期上线' : ''));
  }
  if (cmp) {
    const figs = cmp.figures || [];
    if (figs.length) {
      card.append(h('h4', null, '数字化成效（核验数据）'), h('table', { class: 'table', id: 'figures-table' },
        h('thead', null, h('tr', null, h('th', null, '指标'), h('th', null, '数据项'), h('th', null, '改造前'), h('th', null, '改造后'))),
        h('tbody', null, figs.map((f) => h('tr', null, h('td', null, f.name), h('td', null, `${f.label || f.figure}${f.unit ? `（${f.unit}）` : ''}`),
          h('td', { class: 'num' }, f.before ?? '—'), h('td', { class: 'num' }, f.after ?? '—'))))));
    }
    const moved = (cmp.scenes || []).filter((s) => s.after !== s.before);
    card.append(h('h4', null, '场景等级'), h('table', { class: 'table', id: 'scenes-table' },
      h('thead', null, h('tr', null, h('th', null, '经营场景'), h('th', null, '改造前'), h('th', null, '改造后'))),
      h('tbody', null, (moved.length ? moved : cmp.scenes || []).map((s) => h('tr', { class: s.after > s.before ? 'up' : '' },
        h('td', null, s.name, s.constrained ? h('span', { class: 'star', title: '约束性场景' }, ' ★') : null),
        h('td', { class: 'num' }, `${s.before} 级`), h('td', { class: 'num' }, `${s.after} 级`))))));
  }
  return card;
}

function ticketsCard(p, enc, ctx) {
  const card = h('section', { class: 'card', id: 'tickets' }, h('h3', null, '运维工单'));
  const list = h('div', { class: 'ticket-list' }, loading());
  card.append(list);
  const mine = state.me && state.me.org.id;
  const isProvider = mine === p.provider.id;
  const isEnterprise = mine === p.enterprise.id;
  api.get(`/v1/projects/${enc}/tickets`).then((res) => {
    if (!ctx.alive()) return;
    clear(list);
    if (!res.items.length) list.append(h('p', { class: 'muted' }, p.can && p.can.open_ticket ? '系统运行中遇到问题，可以在这里提交运维工单。' : '暂无工单。'));
    for (const t of res.items) list.append(ticketRow(t, p, enc, isProvider, isEnterprise, ctx));
  }).catch((err) => { if (ctx.alive()) clear(list).append(h('p', { class: 'muted' }, err.message)); });
  if (p.can && p.can.open_ticket) {
    const title = h('input', { name: 'title', maxlength: 120, required: true, placeholder: '问题概述' });
    const sev = select('severity', Object.entries(SEVERITY), 'normal', { 'aria-label': '紧急程度' });
    const desc = h('textarea', { name: 'description', rows: 2, maxlength: 5000, placeholder: '现象、发生时间、影响范围' });
    const form = h('form', { class: 'form ticket-form', id: 'ticket-form' },
      h('div', { class: 'grid-2' }, field('问题 *', title), field('紧急程度', sev)), field('描述', desc),
      h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, '提交工单')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!title.value.trim()) { title.classList.add('invalid'); title.focus(); return; }
      try {
        await api.post(`/v1/projects/${enc}/tickets`, { title: title.value.trim(), severity: sev.value, description: desc.value.trim() || undefined });
        toast('工单已提交，服务商会收到通知', 'success');
        ctx.rerender();
      } catch (err) { toast(err.message, 'error'); }
    });
    card.append(form);
  }
  return card;
}

function ticketRow(t, p, enc, isProvider, isEnterprise, ctx) {
  const row = h('article', { class: `ticket ticket-${t.status}`, 'data-id': t.id },
    h('div', { class: 'ticket-head' }, h('strong', null, t.title), badge(TICKET_STATUS[t.status] || t.status, `tstatus-${t.status}`),
      badge(`紧急程度：${SEVERITY[t.severity] || t.severity}`)),
    t.description ? h('p', { class: 'small' }, t.description) : null,
    h('div', { class: 'muted small' }, `提交于 ${dateText(t.opened_at)}`,
      t.response_hours !== null ? ` · 首次响应 ${hoursText(t.response_hours)}` : ' · 尚未响应',
      t.resolution_hours !== null ? ` · 解决用时 ${hoursText(t.resolution_hours)}` : ''),
    (t.replies || []).map((x) => h('div', { class: 'ticket-reply small' }, h('span', { class: 'muted' }, `${byText(x.by)} · ${dateText(x.at)}：`), x.text)));
  if (t.status !== 'closed' && (isProvider || isEnterprise)) {
    const text = h('input', { name: 'text', maxlength: 1000, placeholder: isProvider ? '回复处理情况' : '补充说明' });
    const reply = h('button', { class: 'btn btn-small', type: 'button', 'data-action': 'reply' }, '回复');
    const close = h('button', { class: 'btn btn-small', type: 'button', 'data-action': 'close' }, '关闭工单');
    const act = async (verb) => {
      const body = verb === 'reply' ? { text: text.value.trim() } : (text.value.trim() ? { note: text.value.trim() } : {});
      if (verb === 'reply' && !body.text) { text.classList.add('invalid'); text.focus(); return; }
      try {
        await api.post(`/v1/projects/${enc}/tickets/${encodeURIComponent(t.id)}/${verb}`, body);
        toast(verb === 'reply' ? '已回复' : '工单已关闭', 'success');
        ctx.rerender();
      } catch (err) { toast(err.message, 'error'); }
    };
    reply.addEventListener('click', () => act('reply'));
    close.addEventListener('click', () => act('close'));
    row.append(h('div', { class: 'ticket-actions' }, text, reply, close));
  }
  return row;
}

function historyCard(p) {
  return h('section', { class: 'card' }, h('h3', null, '变更记录'),
    h('ol', { class: 'timeline', id: 'project-revisions' }, [...(p.revisions || [])].reverse().map((r) => h('li', null,
      h('strong', null, r.from && r.from !== r.to ? `${PROJECT_STATUS[r.from] || r.from} → ${PROJECT_STATUS[r.to] || r.to}` : (r.from ? '更新' : PROJECT_STATUS[r.to])),
      h('span', { class: 'muted' }, ` · ${dateText(r.at)} · ${byText(r.by)}`),
      r.reason ? h('div', { class: 'revision-reason' }, REASONS[r.reason] || r.reason) : null))));
}

function infoCard(p) {
  const rows = [
    ['状态', projectBadge(p.status)],
    ['企业', p.enterprise.name],
    ['服务商', p.provider.name],
    ['资源', h('a', { href: `#/resources/${encodeURIComponent(p.resource_id)}`, id: 'project-resource' }, '查看资源')],
    ['监理中心', p.center ? p.center.name : '未指定（首个签收的数促中心）'],
    ['合同金额', money(p.amount)],
    ['来源', p.campaign_id ? h('a', { href: `#/campaigns/${encodeURIComponent(p.campaign_id)}` }, '集采活动')
      : p.need_id ? h('a', { href: `#/needs/${encodeURIComponent(p.need_id)}` }, '需求对接') : '—'],
    ['签约时间', dateText(p.created_at)],
  ];
  if (p.accepted_at) rows.push(['验收时间', dateText(p.accepted_at)]);
  if (p.scenarios && p.scenarios.length) rows.push(['改造场景', p.scenarios.map((s) => nameOf('scenario', s)).join('、')]);
  return h('section', { class: 'card', id: 'project-info' }, h('h3', null, '项目信息'),
    h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
}

function costsCard(p) {
  const lines = p.costs || [];
  return h('section', { class: 'card', id: 'project-costs' }, h('h3', null, '费用明细'),
    lines.length ? h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', null, '类别'), h('th', null, '金额'), h('th', null, '说明'))),
      h('tbody', null, lines.map((c) => h('tr', null, h('td', null, COST_TEXT[c.type] || c.type), h('td', { class: 'num' }, money(c.amount)), h('td', null, c.note || '')))),
      h('tfoot', null, h('tr', null, h('th', null, '合计'), h('th', { class: 'num' }, money(p.cost_summary.total)), h('th', null, ''))))
      : h('p', { class: 'muted' }, '尚未填写费用明细（软件、云服务、数据采集硬件、集成服务、培训），补贴政策按类别核定。'));
}

function caseCard(p, enc, ctx) {
  if (p.case) {
    return h('section', { class: 'card' }, h('h3', null, '优秀案例'),
      h('p', null, h('a', { href: `#/cases/${encodeURIComponent(p.case.id)}`, id: 'project-case' }, '查看已发布的案例')));
  }
  if (!(p.can && p.can.publish_case)) return null;
  const title = h('input', { name: 'title', maxlength: 120, required: true, value: p.title });
  const problem = h('textarea', { name: 'problem', rows: 3, required: true, placeholder: '企业原来面临的问题' });
  const solution = h('textarea', { name: 'solution', rows: 3, required: true, placeholder: '用了什么、怎么做的' });
  const quote = h('textarea', { name: 'quote', rows: 2, placeholder: '企业负责人的一句话' });
  const hide = h('input', { type: 'checkbox', name: 'hide_enterprise' });
  const form = h('form', { class: 'card form', id: 'case-form' }, h('h3', null, '发布为优秀案例'),
    field('案例标题 *', title), field('问题 *', problem), field('解决方案 *', solution), field('企业评价', quote),
    h('label', { class: 'check' }, hide, '隐藏企业名称（显示为“某省某行业企业”）'),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, '发布案例')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const c = await api.post(`/v1/projects/${enc}/case`, {
        title: title.value.trim(), problem: problem.value.trim(), solution: solution.value.trim(),
        quote: quote.value.trim() || undefined, hide_enterprise: hide.checked,
      });
      toast('案例已发布', 'success');
      location.hash = `#/cases/${encodeURIComponent(c.id)}`;
    } catch (err) { toast(err.message, 'error'); }
  });
  return form;
}

// ------------------------------------------------------------ lists

function projectCard(p) {
  const next = p.milestones.find((m) => !m.actual && m.planned);
  return h('article', { class: `card project-card ${p.overdue ? 'overdue' : ''}`, 'data-id': p.id, 'data-status': p.status },
    h('a', { class: 'project-title', href: `#/projects/${encodeURIComponent(p.id)}` }, p.title),
    h('div', { class: 'small' }, p.enterprise.name, ' · ', p.provider.name),
    h('div', { class: 'small muted' },
      p.overdue ? badge('逾期', 'badge-warn') : null, ' ',
      [next ? `${next.name} 计划 ${next.planned}` : '',
        p.status === 'accepted' ? `${levelOr(p.level_before)} → ${levelOr(p.level_after)}` : '',
        p.amount !== null ? money(p.amount) : ''].filter(Boolean).join(' · ')));
}

export async function projectsPage(view, params, ctx) {
  const board = canRole('center', 'admin');
  view.append(pageHeader(board ? '项目看板' : '我的项目',
    board ? '所有实施中的项目，按状态分列；有里程碑逾期的排在最前。' : '从需求对接或集采签约开始的实施项目。'),
  loading());
  const res = await api.get('/v1/projects', { sort: 'due', limit: 100 });
  if (!ctx.alive()) return;
  view.querySelector('.loading').remove();
  const items = res.items || [];
  if (!items.length) {
    view.append(emptyState('还没有项目', board ? '企业接受服务商响应、集采签约后，项目会出现在这里。' : '接受服务商的响应后，可在需求页面建立实施项目。'));
    return;
  }
  const overdue = items.filter((p) => p.overdue).length;
  view.append(h('p', { class: 'board-summary', id: 'board-summary' }, `共 ${items.length} 个项目`, overdue ? h('strong', { class: 'warn' }, ` · ${overdue} 个里程碑逾期`) : ''));
  if (!board) {
    view.append(h('div', { class: 'project-list', id: 'project-list' }, items.map(projectCard)));
    return;
  }
  const cols = h('div', { class: 'board', id: 'project-board' });
  for (const s of BOARD_ORDER) {
    const mine = items.filter((p) => p.status === s);
    cols.append(h('section', { class: 'board-col', 'data-status': s },
      h('h3', null, PROJECT_STATUS[s], h('span', { class: 'muted' }, ` ${mine.length}`)),
      mine.length ? mine.map(projectCard) : h('p', { class: 'muted small' }, '—')));
  }
  view.append(cols);
}

// The accepted response's project, or the button that starts it (the
// need page, for the need's enterprise).
export function projectForResponse(r, ctx) {
  const box = h('div', { class: 'response-project' });
  api.get('/v1/projects', { limit: 100 }).then((res) => {
    if (!ctx.alive()) return;
    const mine = (res.items || []).find((p) => p.need_id === r.need_id && p.provider.id === r.provider.id);
    if (mine) {
      add(box, h('a', { class: 'btn btn-small', href: `#/projects/${encodeURIComponent(mine.id)}`, 'data-action': 'project' }, `查看实施项目（${PROJECT_STATUS[mine.status]}）`));
      return;
    }
    const btn = h('button', { class: 'btn btn-small btn-primary', type: 'button', 'data-action': 'start-project' }, '建立实施项目');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        const p = await api.post('/v1/projects', { response_id: r.id });
        toast('项目已建立', 'success');
        location.hash = `#/projects/${encodeURIComponent(p.id)}`;
      } catch (err) { btn.disabled = false; toast(err.message, 'error'); }
    });
    box.append(btn);
  }).catch(() => { /* the list is optional here */ });
  return box;
}
