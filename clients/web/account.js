// account.js - 账号设置: my password and the devices logged in as me
// (each can be signed out), my organisation's profile and business
// contact (what an enterprise sees once it accepts our response), and the
// organisation's webhooks (企业微信 / 钉钉 group bots or its own systems),
// with each delivery's attempts.

import { api } from './api.js';
import {
  state, h, clear, add, dateText, pageHeader, field, select, toast, emptyState, errorBox, loading,
  badge, formError, ROLE_TEXT, checkedValues,
} from './ui.js';
import { secretBox } from './people.js';

export async function accountPage(view, params, ctx) {
  const me = state.me;
  if (!me) {
    view.append(pageHeader('账号设置'), emptyState('请先登录', null, h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  add(view, pageHeader('账号设置', `${me.org.name} · ${ROLE_TEXT[me.role] || me.role}`));
  if (me.user) {
    if (me.user.must_change) view.append(h('div', { class: 'alert alert-warn', id: 'must-change' }, '您正在使用管理员发放的临时密码，请先设置自己的密码。'));
    view.append(passwordCard(me), h('section', { class: 'card', id: 'sessions' }, h('h3', null, '登录设备'), loading()));
    if (me.user.org_admin) {
      view.append(h('p', null, h('a', { class: 'btn', href: `#/admin/orgs/${encodeURIComponent(me.org.id)}` }, '管理本单位账号')));
    }
  } else {
    view.append(h('section', { class: 'card' }, h('h3', null, '当前登录方式'),
      h('p', null, `您正在使用 API 密钥（${me.key_prefix}…）。个人账号请用手机号或邮箱和密码登录。`)));
  }
  const orgBox = h('section', { class: 'card', id: 'org-profile' }, h('h3', null, '单位资料与联系方式'), loading());
  const hooksBox = h('section', { class: 'card', id: 'webhooks' }, h('h3', null, '消息推送（Webhook）'), loading());
  view.append(orgBox, hooksBox);
  await Promise.all([
    me.user ? drawSessions(view.querySelector('#sessions'), ctx) : null,
    drawOrg(orgBox, ctx), drawHooks(hooksBox, ctx)]);
}

function passwordCard(me) {
  const form = h('form', { class: 'card form', id: 'password-change-form', novalidate: true },
    h('h3', null, '修改密码'),
    h('p', { class: 'muted small' }, `登录名：${me.user.phone || me.user.email}`),
    h('div', { class: 'grid-3' },
      field('当前密码', h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password' })),
      field('新密码', h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }), '至少 8 位，字母与数字或符号混合'),
      field('再输入一次', h('input', { name: 'password2', type: 'password', autocomplete: 'new-password' }))),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, '修改密码')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = form.elements;
    if (!f.current_password.value) { formError(form, { message: '请填写当前密码', field: 'current_password' }); return; }
    if (f.password.value !== f.password2.value) { formError(form, { message: '两次输入的新密码不一致', field: 'password2' }); return; }
    try {
      const u = await api.post('/v1/me/password', { current_password: f.current_password.value, password: f.password.value });
      state.me.user = u;
      formError(form, null);
      form.reset();
      const warn = document.getElementById('must-change');
      if (warn) warn.remove();
      toast('密码已修改，其他设备上的登录已退出', 'success');
      const box = document.getElementById('sessions');
      if (box) drawSessions(box, { alive: () => true });
    } catch (err) { formError(form, err); }
  });
  return form;
}

async function drawSessions(box, ctx) {
  let items;
  try {
    items = (await api.get('/v1/sessions')).items || [];
  } catch (err) {
    if (ctx.alive()) clear(box).append(h('h3', null, '登录设备'), errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  clear(box).append(h('h3', null, `登录设备（${items.length}）`),
    h('p', { class: 'muted small' }, '登录 7 天不使用自动失效，最长 30 天。发现陌生设备请退出它并修改密码。'));
  box.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'sessions-table' },
    h('thead', null, h('tr', null, ['设备', '地址', '登录时间', '最近使用', ''].map((x) => h('th', null, x)))),
    h('tbody', null, items.map((s) => {
      const out = s.current ? h('span', { class: 'ok small' }, '本设备') : h('button', { class: 'btn btn-small btn-danger', type: 'button', 'data-action': 'revoke' }, '退出该设备');
      if (!s.current) {
        out.addEventListener('click', async () => {
          out.disabled = true;
          try {
            await api.del(`/v1/sessions/${encodeURIComponent(s.id)}`);
            toast('该设备已退出登录', 'success');
            drawSessions(box, ctx);
          } catch (err) { out.disabled = false; toast(err.message, 'error'); }
        });
      }
      return h('tr', { 'data-id': s.id },
        h('td', { class: 'small' }, agentText(s.agent)), h('td', { class: 'small mono' }, s.addr || '—'),
        h('td', { class: 'small nowrap' }, dateText(s.created_at)), h('td', { class: 'small nowrap' }, dateText(s.seen_at)),
        h('td', { class: 'actions' }, out));
    })))));
}

function agentText(ua) {
  if (!ua) return '未知设备';
  const os = /Android/.test(ua) ? '安卓' : /iPhone|iPad/.test(ua) ? '苹果手机' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'Mac' : /Linux/.test(ua) ? 'Linux' : '';
  const br = /MicroMessenger/.test(ua) ? '微信' : /Edg\//.test(ua) ? 'Edge' : /Chrome|Chromium/.test(ua) ? 'Chrome' : /Firefox/.test(ua) ? 'Firefox' : /Safari/.test(ua) ? 'Safari' : /curl|python|Go-http/i.test(ua) ? '程序' : '浏览器';
  return [os, br].filter(Boolean).join(' · ');
}

async function drawOrg(box, ctx) {
  const me = state.me;
  let org;
  try {
    org = await api.get(`/v1/orgs/${encodeURIComponent(me.org.id)}`);
  } catch (err) {
    if (ctx.alive()) clear(box).append(h('h3', null, '单位资料与联系方式'), errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  const c = org.contact || {};
  const form = h('form', { class: 'form', id: 'org-form', novalidate: true },
    field('简介', h('textarea', { name: 'description', rows: 3, maxlength: 2000, value: org.description || '' })),
    field('网站', h('input', { name: 'website', maxlength: 200, value: org.website || '', placeholder: 'https://' })),
    h('fieldset', { class: 'fieldset' }, h('legend', null, me.role === 'provider'
      ? '业务联系人（企业接受您的响应后可见；数促中心始终可见）' : '业务联系人（数促中心可见）'),
    h('div', { class: 'grid-3' },
      field('联系人', h('input', { name: 'contact.name', maxlength: 60, value: c.name || '' })),
      field('职务', h('input', { name: 'contact.title', maxlength: 60, value: c.title || '' })),
      field('电话', h('input', { name: 'contact.phone', maxlength: 40, value: c.phone || '', inputmode: 'tel' }))),
    h('div', { class: 'grid-2' },
      field('邮箱', h('input', { name: 'contact.email', maxlength: 120, value: c.email || '' })),
      field('地址', h('input', { name: 'contact.address', maxlength: 200, value: c.address || '' })))),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, '保存')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    const contact = {};
    for (const k of ['name', 'title', 'phone', 'email', 'address']) if (v(`contact.${k}`)) contact[k] = v(`contact.${k}`);
    try {
      await api.patch(`/v1/orgs/${encodeURIComponent(me.org.id)}`, {
        description: v('description'), website: v('website') || null, contact: Object.keys(contact).length ? contact : null,
      }, { contentType: 'application/json' });
      formError(form, null);
      toast('单位资料已保存', 'success');
    } catch (err) { formError(form, err); }
  });
  clear(box).append(h('h3', null, '单位资料与联系方式'), form);
}

async function drawHooks(box, ctx) {
  const me = state.me;
  let res;
  try {
    res = await api.get(`/v1/orgs/${encodeURIComponent(me.org.id)}/webhooks`);
  } catch (err) {
    if (ctx.alive()) clear(box).append(h('h3', null, '消息推送（Webhook）'), errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  const canChange = !me.user || me.user.org_admin;
  const secret = h('div', { id: 'webhook-secret' });
  clear(box).append(h('h3', null, '消息推送（Webhook）'),
    h('p', { class: 'muted small' }, '站内信同时推送到企业微信、钉钉群机器人或贵单位的系统。每次推送带 X-Shucu-Signature 签名（HMAC-SHA256），失败会自动重试。'),
    secret);
  const items = res.items || [];
  if (!items.length) box.append(h('p', { class: 'muted' }, '尚未配置。'));
  for (const w of items) box.append(hookRow(w, res.kinds || [], canChange, box, ctx));
  if (canChange) box.append(hookForm(res.kinds || [], box, ctx));
}

const FORMAT_TEXT = { json: 'JSON（自有系统）', wecom: '企业微信群机器人', dingtalk: '钉钉群机器人' };
const DELIVERY_TEXT = { pending: '等待重试', delivered: '已送达', failed: '失败' };

function hookRow(w, kinds, canChange, box, ctx) {
  const names = Object.fromEntries(kinds.map((k) => [k.kind, k.name]));
  const log = h('div', { class: 'deliveries' });
  const show = h('button', { class: 'btn btn-small', type: 'button', 'data-action': 'deliveries' }, '投递记录');
  show.addEventListener('click', async () => {
    clear(log).append(loading());
    try {
      const d = await api.get(`/v1/orgs/${encodeURIComponent(state.me.org.id)}/webhooks/${encodeURIComponent(w.id)}/deliveries`);
      clear(log);
      if (!d.items.length) { log.append(h('p', { class: 'muted small' }, '还没有投递。')); return; }
      log.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table small' },
        h('thead', null, h('tr', null, ['消息', '状态', '尝试', '最近结果'].map((x) => h('th', null, x)))),
        h('tbody', null, d.items.map((x) => {
          const last = x.attempts_log[x.attempts_log.length - 1];
          return h('tr', null, h('td', null, x.notification.title), h('td', null, DELIVERY_TEXT[x.status] || x.status),
            h('td', null, String(x.attempts)),
            h('td', { class: 'small' }, last ? `${last.http_status ? 'HTTP ' + last.http_status : '未连通'} · ${last.ms} 毫秒` : '—'));
        })))));
    } catch (err) { clear(log).append(errorBox(err)); }
  });
  const test = canChange ? h('button', { class: 'btn btn-small', type: 'button', 'data-action': 'test' }, '发送测试') : null;
  if (test) {
    test.addEventListener('click', async () => {
      try {
        await api.post(`/v1/orgs/${encodeURIComponent(state.me.org.id)}/webhooks/${encodeURIComponent(w.id)}/test`, {});
        toast('已发送测试消息，稍后查看投递记录', 'success');
      } catch (err) { toast(err.message, 'error'); }
    });
  }
  const del = canChange ? h('button', { class: 'btn btn-small btn-danger', type: 'button', 'data-action': 'delete' }, '删除') : null;
  if (del) {
    del.addEventListener('click', async () => {
      if (!confirm('删除这个推送地址？未送达的消息将不再重试。')) return;
      try {
        await api.del(`/v1/orgs/${encodeURIComponent(state.me.org.id)}/webhooks/${encodeURIComponent(w.id)}`);
        toast('已删除', 'success');
        drawHooks(box, ctx);
      } catch (err) { toast(err.message, 'error'); }
    });
  }
  return h('div', { class: 'webhook', 'data-id': w.id },
    h('div', { class: 'webhook-head' }, h('span', { class: 'mono small webhook-url' }, w.url), badge(FORMAT_TEXT[w.format] || w.format)),
    h('div', { class: 'small muted' }, w.kinds.length ? `只推送：${w.kinds.map((k) => names[k] || k).join('、')}` : '推送全部消息',
      ` · 已送达 ${w.delivered} · 等待 ${w.pending} · 失败 ${w.failed}`),
    h('div', { class: 'form-actions' }, show, test, del), log);
}

function hookForm(kinds, box, ctx) {
  const checks = h('div', { class: 'checks', 'data-field': 'kinds' }, kinds.map((k) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'kinds', value: k.kind }), k.name)));
  const form = h('form', { class: 'form', id: 'webhook-form', novalidate: true },
    h('h4', null, '添加推送地址'),
    h('div', { class: 'grid-2' },
      field('接收地址 *', h('input', { name: 'url', maxlength: 500, placeholder: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…' })),
      field('消息格式', select('format', Object.entries(FORMAT_TEXT), 'wecom'))),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, '推送哪些消息（不选则全部）'), checks),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, '添加')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const url = form.elements.url.value.trim();
    if (!url) { formError(form, { message: '请填写接收地址', field: 'url' }); return; }
    try {
      const w = await api.post(`/v1/orgs/${encodeURIComponent(state.me.org.id)}/webhooks`,
        { url, format: form.elements.format.value, kinds: checkedValues(form, 'kinds') });
      await drawHooks(box, ctx);
      const s = document.getElementById('webhook-secret');
      if (s) clear(s).append(secretBox('签名密钥：', w.secret, '只显示这一次；用它校验 X-Shucu-Signature。'));
    } catch (err) { formError(form, err); }
  });
  return form;
}

