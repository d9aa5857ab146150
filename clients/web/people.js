// people.js - 机构与用户: organisations and their people, for admins and
// centers (and an organisation's own administrator, for its colleagues).
//
//   #/admin/orgs        every organisation, a filter, and (admins) a new one
//   #/admin/orgs/ID     its profile, its users (add, reset a password,
//                       disable or enable, make an administrator) and, for
//                       admins, its API keys (make, revoke)
//
// A password or key the server makes is shown once, in a box the user
// copies from; nothing here keeps it.  Destructive actions (停用, 撤销) are
// red and ask first.

import { api } from './api.js';
import {
  state, h, clear, add, dateText, pageHeader, field, select, toast, emptyState, errorBox, loading,
  badge, canRole, formError, ROLE_TEXT, nameOf,
} from './ui.js';

const ROLE_OPTIONS = [['enterprise', '企业'], ['provider', '服务商'], ['center', '数促中心'], ['admin', '管理员']];

// The roles the caller may give users (the server checks again; user.c).
function rolesFor(me, orgId) {
  if (me.role === 'admin') return ROLE_OPTIONS;
  if (me.role === 'center') return ROLE_OPTIONS.filter(([r]) => r === 'enterprise' || r === 'provider');
  if (me.user && me.user.org_admin && me.org.id === orgId) return ROLE_OPTIONS.filter(([r]) => r === me.role);
  return [];
}

export function secretBox(title, value, hint) {
  return h('div', { class: 'alert alert-secret', role: 'status' },
    h('strong', null, title), ' ',
    h('code', { class: 'mono secret', 'data-secret': '1' }, value),
    h('button', {
      class: 'btn btn-small', type: 'button',
      onclick: () => navigator.clipboard && navigator.clipboard.writeText(value).then(() => toast('已复制'), () => {}),
    }, '复制'),
    hint ? h('div', { class: 'small muted' }, hint) : null);
}

export async function orgsPage(view, params, ctx) {
  if (!canRole('admin', 'center')) {
    view.append(pageHeader('机构与用户'), emptyState('只有管理员和数促中心可以管理机构', null, h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  const q = h('input', { type: 'search', id: 'orgs-q', placeholder: '按名称筛选', 'aria-label': '按名称筛选' });
  const list = h('div', { id: 'orgs-list' });
  const admin = canRole('admin');
  const form = admin ? orgCreateForm() : null;
  add(view, pageHeader('机构与用户', admin ? '开通机构，为机构开通账号和 API 密钥。' : '为企业和服务商开通账号、重置密码、停用账号。'),
    form, h('div', { class: 'toolbar' }, q), list);
  list.append(loading());
  let orgs;
  try {
    orgs = (await api.get('/v1/orgs')).items || [];
  } catch (err) {
    if (ctx.alive()) clear(list).append(errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  const draw = () => {
    const t = q.value.trim();
    const shown = orgs.filter((o) => !t || o.name.includes(t));
    clear(list);
    if (!shown.length) { list.append(emptyState('没有符合条件的机构')); return; }
    list.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'orgs-table' },
      h('thead', null, h('tr', null, ['名称', '行业', '地区', '网站', '开通时间'].map((x) => h('th', null, x)))),
      h('tbody', null, shown.map((o) => h('tr', { 'data-id': o.id },
        h('td', null, h('a', { href: `#/admin/orgs/${encodeURIComponent(o.id)}` }, o.name)),
        h('td', { class: 'small' }, (o.industries || []).map((x) => nameOf('industry', x)).join('、') || '—'),
        h('td', { class: 'small' }, (o.regions || []).join('、') || '—'),
        h('td', { class: 'small' }, o.website ? h('a', { href: o.website, target: '_blank', rel: 'noopener noreferrer' }, o.website) : '—'),
        h('td', { class: 'small nowrap' }, dateText(o.created_at))))))));
  };
  q.addEventListener('input', draw);
  draw();
}

function orgCreateForm() {
  const form = h('form', { class: 'card form', id: 'org-create-form', novalidate: true },
    h('h3', null, '开通机构'),
    h('div', { class: 'grid-2' },
      field('机构名称 *', h('input', { name: 'name', maxlength: 120 })),
      field('网站', h('input', { name: 'website', maxlength: 200, placeholder: 'https://' }))),
    field('简介', h('textarea', { name: 'description', rows: 2, maxlength: 2000 })),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, '开通')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    if (!v('name')) { formError(form, { message: '请填写机构名称', field: 'name' }); return; }
    try {
      const org = await api.post('/v1/orgs', { name: v('name'), website: v('website') || undefined, description: v('description') || undefined });
      toast(`已开通 ${org.name}，请为它开通账号`, 'success');
      location.hash = `#/admin/orgs/${encodeURIComponent(org.id)}`;
    } catch (err) { formError(form, err); }
  });
  return form;
}

export async function orgPage(view, [id], ctx) {
  const me = state.me;
  if (!me) {
    view.append(pageHeader('机构'), emptyState('请先登录', null, h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  view.append(loading());
  const org = await api.get(`/v1/orgs/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  clear(view);
  const usersBox = h('section', { class: 'card', id: 'users' }, h('h3', null, '账号'), loading());
  const keysBox = canRole('admin') ? h('section', { class: 'card', id: 'keys' }, h('h3', null, 'API 密钥'), loading()) : null;
  const contact = org.contact ? [org.contact.name, org.contact.title, org.contact.phone, org.contact.email].filter(Boolean).join(' · ') : '';
  add(view,
    canRole('admin', 'center') ? h('p', { class: 'crumbs' }, h('a', { href: '#/admin/orgs' }, '机构与用户'), ' / ', org.name) : null,
    pageHeader(org.name, org.description || null),
    h('section', { class: 'card' }, h('dl', { class: 'kv' },
      h('dt', null, '网站'), h('dd', null, org.website ? h('a', { href: org.website, target: '_blank', rel: 'noopener noreferrer' }, org.website) : '—'),
      h('dt', null, '联系人'), h('dd', null, contact || '—'),
      h('dt', null, '服务地区'), h('dd', null, (org.regions || []).join('、') || '—'))),
    usersBox, keysBox);
  await Promise.all([drawUsers(usersBox, org, ctx), keysBox ? drawKeys(keysBox, org, ctx) : null]);
}

async function drawUsers(box, org, ctx) {
  let users;
  try {
    users = (await api.get(`/v1/orgs/${encodeURIComponent(org.id)}/users`)).items || [];
  } catch (err) {
    if (ctx.alive()) clear(box).append(h('h3', null, '账号'), errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  const roles = rolesFor(state.me, org.id);
  const secret = h('div', { id: 'user-secret' });
  clear(box).append(h('h3', null, `账号（${users.length}）`), secret);
  if (!users.length) box.append(emptyState('还没有账号', roles.length ? '在下面为它开通第一个账号，第一个账号默认是本单位管理员。' : null));
  else {
    const tbody = h('tbody');
    for (const u of users) tbody.append(userRow(u, org, roles, secret, ctx));
    box.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'users-table' },
      h('thead', null, h('tr', null, ['姓名', '登录名', '角色', '状态', '开通时间', roles.length ? '操作' : null].filter(Boolean).map((x) => h('th', null, x)))),
      tbody)));
  }
  if (roles.length) box.append(userForm(org, roles, secret, ctx));
}

function userRow(u, org, roles, secret, ctx) {
  const me = state.me;
  const self = me.user && me.user.id === u.id;
  const manage = roles.some(([r]) => r === u.role);
  const actions = h('td', { class: 'actions' });
  if (manage) {
    const reset = h('button', { class: 'btn btn-small', type: 'button', 'data-action': 'reset' }, '重置密码');
    reset.addEventListener('click', async () => {
      if (!confirm(`为 ${u.name} 生成临时密码？其所有登录将立即失效。`)) return;
      reset.disabled = true;
      try {
        const r = await api.post(`/v1/users/${encodeURIComponent(u.id)}/password`, {});
        clear(secret).append(secretBox(`${u.name} 的临时密码：`, r.password, '只显示这一次，请当面或电话告知本人；首次登录后须修改。'));
      } catch (err) { toast(err.message, 'error'); } finally { reset.disabled = false; }
    });
    const toggle = h('button', { class: `btn btn-small ${u.disabled ? '' : 'btn-danger'}`, type: 'button', 'data-action': u.disabled ? 'enable' : 'disable', disabled: self }, u.disabled ? '启用' : '停用');
    toggle.addEventListener('click', async () => {
      if (!u.disabled && !confirm(`停用 ${u.name}？其所有登录将立即失效。`)) return;
      toggle.disabled = true;
      try {
        await api.patch(`/v1/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled });
        toast(u.disabled ? `已启用 ${u.name}` : `已停用 ${u.name}`, 'success');
        ctx.rerender();
      } catch (err) { toggle.disabled = false; toast(err.message, 'error'); }
    });
    const admin = h('button', { class: 'btn btn-small btn-ghost', type: 'button', 'data-action': 'admin', disabled: self }, u.org_admin ? '取消管理员' : '设为管理员');
    admin.addEventListener('click', async () => {
      try {
        await api.patch(`/v1/users/${encodeURIComponent(u.id)}`, { org_admin: !u.org_admin });
        ctx.rerender();
      } catch (err) { toast(err.message, 'error'); }
    });
    actions.append(reset, toggle, admin);
  }
  return h('tr', { 'data-id': u.id, class: u.disabled ? 'row-muted' : '' },
    h('td', null, u.name, u.org_admin ? h('span', { class: 'badge small' }, '管理员') : null, self ? h('span', { class: 'muted small' }, '（我）') : null),
    h('td', { class: 'small' }, u.phone || u.email || '—'),
    h('td', null, ROLE_TEXT[u.role] || u.role),
    h('td', null, u.disabled ? badge('已停用', 'badge-warn') : u.must_change ? badge('待改密码') : badge('正常', 'status-open')),
    h('td', { class: 'small nowrap' }, dateText(u.created_at)),
    roles.length ? actions : null);
}

function userForm(org, roles, secret, ctx) {
  const form = h('form', { class: 'form user-form', id: 'user-form', novalidate: true },
    h('h4', null, '开通账号'),
    h('div', { class: 'grid-3' },
      field('姓名 *', h('input', { name: 'name', maxlength: 60 })),
      field('手机号', h('input', { name: 'phone', maxlength: 32, inputmode: 'tel' })),
      field('电子邮箱', h('input', { name: 'email', maxlength: 120, type: 'email' }))),
    h('div', { class: 'grid-3' },
      field('角色', select('role', [['', '与本单位一致'], ...roles], roles.length === 1 ? roles[0][0] : '')),
      field('初始密码', h('input', { name: 'password', type: 'password', autocomplete: 'new-password', maxlength: 128 }), '留空则生成临时密码，首次登录后须修改'),
      h('div', { class: 'field' }, h('span', { class: 'field-label' }, '权限'),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'org_admin' }), '本单位管理员（可开通同事账号）'))),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'user-submit' }, '开通账号')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    let local = null;
    if (!v('name')) local = { message: '请填写姓名', field: 'name' };
    else if (!v('phone') && !v('email')) local = { message: '请填写手机号或电子邮箱（用于登录）', field: 'phone' };
    if (local) { formError(form, local); return; }
    const body = {
      name: v('name'), phone: v('phone') || undefined, email: v('email') || undefined,
      role: v('role') || undefined, password: form.elements.password.value || undefined,
      org_admin: form.elements.org_admin.checked || undefined,
    };
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const u = await api.post(`/v1/orgs/${encodeURIComponent(org.id)}/users`, body);
      formError(form, null);
      toast(`已开通 ${u.name} 的账号`, 'success');
      await drawUsers(form.closest('#users'), org, ctx);
      if (u.password) {
        const box = document.getElementById('user-secret');
        if (box) clear(box).append(secretBox(`${u.name} 的临时密码：`, u.password, '只显示这一次；登录名为手机号或邮箱。'));
      }
    } catch (err) {
      formError(form, err);
      btn.disabled = false;
    }
  });
  return form;
}

async function drawKeys(box, org, ctx) {
  let keys;
  try {
    keys = (await api.get(`/v1/orgs/${encodeURIComponent(org.id)}/keys`)).items || [];
  } catch (err) {
    if (ctx.alive()) clear(box).append(h('h3', null, 'API 密钥'), errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  const secret = h('div', { id: 'key-secret' });
  clear(box).append(h('h3', null, 'API 密钥'), h('p', { class: 'muted small' }, '密钥供系统对接使用，只在生成时显示一次；列表只显示前缀。'), secret);
  if (keys.length) {
    box.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'keys-table' },
      h('thead', null, h('tr', null, ['前缀', '角色', '状态', '生成时间', '操作'].map((x) => h('th', null, x)))),
      h('tbody', null, keys.map((k) => {
        const revoke = k.active ? h('button', { class: 'btn btn-small btn-danger', type: 'button', 'data-action': 'revoke' }, '撤销') : null;
        if (revoke) {
          revoke.addEventListener('click', async () => {
            if (!confirm(`撤销密钥 ${k.prefix}…？使用它的程序将立即无法访问。`)) return;
            revoke.disabled = true;
            try {
              await api.del(`/v1/keys/${encodeURIComponent(k.prefix)}`);
              toast('密钥已撤销', 'success');
              drawKeys(box, org, ctx);
            } catch (err) { revoke.disabled = false; toast(err.message, 'error'); }
          });
        }
        return h('tr', { 'data-prefix': k.prefix, class: k.active ? '' : 'row-muted' },
          h('td', { class: 'mono' }, `${k.prefix}…`), h('td', null, ROLE_TEXT[k.role] || k.role),
          h('td', null, k.active ? badge('有效', 'status-open') : badge('已撤销', 'badge-warn')),
          h('td', { class: 'small nowrap' }, dateText(k.created_at)), h('td', { class: 'actions' }, revoke));
      })))));
  }
  const role = select('role', ROLE_OPTIONS, 'enterprise', { 'aria-label': '密钥角色' });
  const make = h('button', { class: 'btn', type: 'button', id: 'key-create' }, '生成密钥');
  make.addEventListener('click', async () => {
    make.disabled = true;
    try {
      const k = await api.post(`/v1/orgs/${encodeURIComponent(org.id)}/keys`, { role: role.value });
      await drawKeys(box, org, ctx);
      const s = document.getElementById('key-secret');
      if (s) clear(s).append(secretBox('新密钥：', k.key, '只显示这一次，请妥善保存。'));
    } catch (err) { toast(err.message, 'error'); } finally { make.disabled = false; }
  });
  box.append(h('div', { class: 'toolbar' }, role, make));
}
