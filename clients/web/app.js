// app.js - the console's entry: loads the taxonomy and the caller's
// identity (a password session or an API key), draws the navigation for
// the caller's role with the inbox's unread count, and routes hash
// URLs (#/search, #/needs/ID, …) to the page modules.  shucud serves files
// without an SPA fallback, so every page lives behind the hash.
//
// A page is an async function (view, params, ctx); ctx.alive() turns false
// once the user has navigated elsewhere, so a slow answer never draws over
// the next page.

import { api, getKey, setKey, ApiError, hasSession, setSession, setCsrf } from './api.js';
import {
  state, h, clear, add, toast, errorBox, loadTaxonomy, ROLE_TEXT, pageHeader, field,
} from './ui.js';
import { searchPage, resourcePage } from './search.js';
import { needFormPage, needsListPage, needPage } from './needs.js';
import { myResourcesPage, resourceFormPage, importPage, opportunitiesPage } from './provider.js';
import { campaignsPage, campaignFormPage, campaignPage } from './campaigns.js';
import { dashboardPage } from './dashboard.js';
import { monitorPage, monitorPrintPage } from './monitor.js';
import { assessListPage, assessFormPage } from './assess.js';
import { scorecardPage, gapsPage } from './scorecard.js';
import { verifyQueuePage, registerPage, myFilePage, filePage, fileFormPage } from './enterprises.js';
import { orgsPage, orgPage } from './people.js';
import { accountPage } from './account.js';
import { inboxPage, refreshUnread } from './inbox.js';
import { projectsPage, projectPage } from './projects.js';
import { casesPage, casePage } from './cases.js';

const ROUTES = [
  [/^\/?$/, searchPage],
  [/^\/search$/, searchPage],
  [/^\/resources\/([^/]+)$/, resourcePage],
  [/^\/login$/, loginPage],
  [/^\/needs\/new$/, needFormPage],
  [/^\/needs$/, needsListPage],
  [/^\/needs\/([^/]+)$/, needPage],
  [/^\/provider\/resources$/, myResourcesPage],
  [/^\/provider\/resources\/new$/, resourceFormPage],
  [/^\/provider\/resources\/([^/]+)\/edit$/, resourceFormPage],
  [/^\/provider\/import$/, importPage],
  [/^\/provider\/opportunities$/, opportunitiesPage],
  [/^\/campaigns$/, campaignsPage],
  [/^\/campaigns\/new$/, campaignFormPage],
  [/^\/campaigns\/([^/]+)$/, campaignPage],
  [/^\/dashboard$/, dashboardPage],
  [/^\/monitor$/, monitorPage],
  [/^\/monitor\/print$/, monitorPrintPage],
  [/^\/assess$/, assessListPage],
  [/^\/assess\/([^/]+)\/fill$/, assessFormPage],
  [/^\/assess\/([^/]+)\/gaps$/, gapsPage],
  [/^\/assess\/([^/]+)$/, scorecardPage],
  [/^\/verify$/, verifyQueuePage],
  [/^\/file$/, myFilePage],
  [/^\/enterprises$/, registerPage],
  [/^\/enterprises\/([^/]+)\/edit$/, fileFormPage],
  [/^\/enterprises\/([^/]+)$/, filePage],
  [/^\/projects$/, projectsPage],
  [/^\/projects\/([^/]+)$/, projectPage],
  [/^\/cases$/, casesPage],
  [/^\/cases\/([^/]+)$/, casePage],
  [/^\/inbox$/, inboxPage],
  [/^\/account$/, accountPage],
  [/^\/admin\/orgs$/, orgsPage],
  [/^\/admin\/orgs\/([^/]+)$/, orgPage],
];

const NAV = [
  { href: '#/search', text: '资源池', roles: null },
  { href: '#/needs/new', text: '发布需求', roles: ['enterprise'] },
  { href: '#/needs', text: '我的需求', roles: ['enterprise'] },
  { href: '#/needs', text: '需求大厅', roles: ['center', 'admin', 'provider'] },
  { href: '#/provider/resources', text: '我的资源', roles: ['provider'] },
  { href: '#/provider/import', text: '批量导入', roles: ['provider'] },
  { href: '#/provider/opportunities', text: '商机', roles: ['provider'] },
  { href: '#/campaigns', text: '集采活动', roles: ['enterprise', 'provider', 'center', 'admin'] },
  { href: '#/projects', text: '项目', roles: ['enterprise', 'provider'] },
  { href: '#/projects', text: '项目', roles: ['center', 'admin'] },
  { href: '#/cases', text: '案例', roles: null },
  { href: '#/assess', text: '评估诊断', roles: ['enterprise'] },
  { href: '#/file', text: '企业档案', roles: ['enterprise'] },
  { href: '#/verify', text: '评估审核', roles: ['center'] },
  { href: '#/enterprises', text: '企业名录', roles: ['center', 'admin'] },
  { href: '#/dashboard', text: '数据看板', roles: ['center', 'admin'] },
  { href: '#/monitor', text: '跟踪监测', roles: ['authority', 'center', 'admin'] },
  { href: '#/enterprises', text: '企业名录', roles: ['authority'] },
  { href: '#/admin/orgs', text: '机构与用户', roles: ['center', 'admin'] },
  { href: '#/inbox', text: '站内信', roles: ['enterprise', 'provider', 'center', 'admin'], id: 'nav-inbox' },
  { href: '#/account', text: '账号设置', roles: ['enterprise', 'provider', 'center', 'admin', 'authority'] },
];

let routeSeq = 0;

function currentPath() {
  const raw = location.hash.replace(/^#/, '');
  const i = raw.indexOf('?');
  return decodeURI(i >= 0 ? raw.slice(0, i) : raw) || '/search';
}

function drawNav() {
  const nav = document.getElementById('nav');
  clear(nav);
  const role = state.me && state.me.role;
  const path = '#' + currentPath();
  for (const item of NAV) {
    if (item.roles && !item.roles.includes(role)) continue;
    const active = path === item.href || (item.href !== '#/search' && item.href !== '#/needs' && path.startsWith(item.href + '/')) ||
      (item.href === '#/needs' && /^#\/needs\/(?!new)/.test(path)) || (item.href === '#/search' && path.startsWith('#/resources/'));
    const unread = item.id === 'nav-inbox' && state.me && state.me.inbox_unread
      ? h('span', { class: 'nav-unread', id: 'inbox-unread', title: '未读' }, String(state.me.inbox_unread)) : null;
    nav.appendChild(h('a', { href: item.href, class: active ? 'active' : '', id: item.id || null }, item.text, unread));
  }
  const who = document.getElementById('who');
  clear(who);
  if (state.me) {
    const person = state.me.user ? state.me.user.name : null;
    add(who,
      person ? h('span', { class: 'who-user', id: 'who-user' }, person) : null,
      h('span', { class: 'who-org', title: person ? '' : `密钥前缀 ${state.me.key_prefix || ''}` }, state.me.org ? state.me.org.name : ''),
      h('span', { class: `badge role-${state.me.role}` }, ROLE_TEXT[state.me.role] || state.me.role),
      h('button', { class: 'btn btn-small btn-ghost', type: 'button', id: 'logout', onclick: logout }, '退出'));
  } else {
    who.append(h('a', { class: 'btn btn-small', href: '#/login', id: 'login-link' }, '登录'));
  }
}

async function route() {
  const seq = ++routeSeq;
  const path = currentPath();
  const view = document.getElementById('view');
  document.body.classList.remove('nav-open');
  drawNav();
  let page = null;
  let params = [];
  for (const [re, fn] of ROUTES) {
    const m = path.match(re);
    if (m) { page = fn; params = m.slice(1).map(decodeURIComponent); break; }
  }
  clear(view);
  view.dataset.page = path.split('/')[1] || 'search';
  if (!page) {
    view.append(pageHeader('页面不存在'), h('p', null, h('a', { href: '#/search' }, '返回资源池')));
    return;
  }
  const ctx = { alive: () => seq === routeSeq, rerender: () => route() };
  try {
    await page(view, params, ctx);
  } catch (err) {
    if (!ctx.alive()) return;
    if (!(err instanceof ApiError)) console.warn(err);
    view.append(errorBox(err, () => route()));
  }
}

// 登录: a password (a person) first; an API key (a program, or an old
// habit) below it.
function loginPage(view) {
  const loginIn = h('input', { name: 'login', autocomplete: 'username', placeholder: '手机号或电子邮箱', required: true, inputmode: 'email' });
  const pwIn = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const pmsg = h('div');
  const pform = h('form', { class: 'card form narrow', id: 'password-form', novalidate: true },
    h('h3', null, '账号登录'),
    field('手机号或邮箱', loginIn),
    field('密码', pwIn, '账号由数促中心、平台管理员或本单位管理员开通；忘记密码请联系他们重置。'),
    pmsg,
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'password-submit' }, '登录')));
  pform.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(pmsg);
    pform.querySelectorAll('.invalid').forEach((x) => x.classList.remove('invalid'));
    const login = loginIn.value.trim();
    const password = pwIn.value;
    if (!login || !password) {
      const el = !login ? loginIn : pwIn;
      el.classList.add('invalid');
      pmsg.append(errorBox({ message: !login ? '请填写手机号或邮箱' : '请填写密码' }));
      el.focus();
      return;
    }
    const btn = pform.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      await api.post('/v1/session', { login, password }, { key: '' });
      setKey('');
      setSession(true);
      state.me = await api.get('/v1/me', null, { key: '' });
      setCsrf(state.me.csrf_token);
      toast(`欢迎，${state.me.user ? state.me.user.name : ''}（${state.me.org.name}）`, 'success');
      location.hash = state.me.user && state.me.user.must_change ? '#/account' : homeFor(state.me.role);
    } catch (err) {
      pmsg.append(errorBox(err));
      if (err.field === 'login') loginIn.classList.add('invalid');
      pwIn.value = '';
    } finally {
      btn.disabled = false;
    }
  });

  const input = h('input', {
    name: 'key', type: 'password', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'shk_…', required: true, class: 'mono',
  });
  const msg = h('div');
  const form = h('form', { class: 'card form narrow', id: 'login-form' },
    h('h3', null, 'API 密钥登录'),
    field('API 密钥', input, '供系统对接和运维使用：由管理员发放，只需粘贴一次，保存在本浏览器中。'),
    msg,
    h('div', { class: 'form-actions' }, h('button', { class: 'btn', type: 'submit' }, '用密钥登录')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg);
    const key = input.value.trim();
    if (!key) return;
    try {
      const me = await api.get('/v1/me', null, { key });
      setKey(key);
      setSession(false);
      state.me = me;
      toast(`已登录：${me.org.name}（${ROLE_TEXT[me.role] || me.role}）`, 'success');
      location.hash = homeFor(me.role);
    } catch (err) {
      msg.append(errorBox(err));
    }
  });
  add(view,
    pageHeader('登录', '企业、服务商、数促中心的工作人员用手机号或邮箱登录；不登录也可以检索公开资源池。'),
    state.me ? h('div', { class: 'alert' }, `当前已登录：${state.me.org.name}（${ROLE_TEXT[state.me.role]}）。`) : null,
    h('div', { class: 'login-grid' }, pform, form));
  loginIn.focus();
}

function homeFor(role) {
  return {
    enterprise: '#/needs', provider: '#/provider/resources', center: '#/campaigns', admin: '#/dashboard',
    authority: '#/monitor',
  }[role] || '#/search';
}

async function logout() {
  if (state.me && state.me.auth === 'session') {
    try { await api.del('/v1/session'); } catch { /* the cookie is cleared by the answer, or stale */ }
  }
  setKey('');
  setSession(false);
  setCsrf('');
  state.me = null;
  toast('已退出登录');
  if (currentPath() === '/search') route();
  else location.hash = '#/search';
}

async function boot() {
  const view = document.getElementById('view');
  document.querySelector('.nav-toggle').addEventListener('click', (e) => {
    const open = document.body.classList.toggle('nav-open');
    e.currentTarget.setAttribute('aria-expanded', String(open));
  });
  if (getKey() || hasSession()) {
    try {
      state.me = await api.get('/v1/me');
      setCsrf(state.me.csrf_token);
    } catch (err) {
      if (err.status === 401) {
        toast(getKey() ? '保存的 API 密钥已失效，请重新登录' : '登录已过期，请重新登录', 'error');
        setKey('');
        setSession(false);
      } else {
        toast(err.message, 'error');
      }
    }
  }
  // After /v1/me: a key that is present but revoked makes even public
  // routes answer 401, so it must be dropped first.
  try {
    loadTaxonomy(await api.get('/v1/taxonomy'));
  } catch (err) {
    clear(view).append(errorBox(err, () => location.reload()));
    return;
  }
  window.addEventListener('hashchange', route);
  window.addEventListener('shucu:unread', (e) => {
    if (state.me) state.me.inbox_unread = e.detail;
    drawNav();
  });
  if (state.me && state.me.user && state.me.user.must_change && currentPath() !== '/account') {
    toast('您正在使用临时密码，请先设置自己的密码', 'info');
    location.hash = '#/account';
  }
  await route();
  document.body.dataset.ready = '1';
  // the unread count follows new notifications while the console is open
  setInterval(() => { if (state.me && document.visibilityState === 'visible') refreshUnread(); }, 60000);
}

boot();
