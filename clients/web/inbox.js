// inbox.js - 站内信: the organisation's notifications, newest first, unread
// ones marked; opening one marks it read and goes to the record it is
// about (its payload's link); 全部已读 marks them all.  A message an
// enterprise sent from a resource page (联系服务商) shows the sender's
// contact.  The unread count in the navigation follows (shucu:unread).

import { api } from './api.js';
import {
  state, h, clear, add, dateText, pageHeader, toast, emptyState, errorBox, loading, badge,
} from './ui.js';

export async function refreshUnread() {
  try {
    const box = await api.get('/v1/inbox', { limit: 1 });
    window.dispatchEvent(new CustomEvent('shucu:unread', { detail: box.unread }));
    return box.unread;
  } catch { return null; }
}

function contactLine(c) {
  if (!c) return null;
  const parts = [c.name, c.phone, c.email].filter(Boolean);
  return parts.length ? h('div', { class: 'small' }, '联系方式：', parts.join(' · ')) : null;
}

function item(n, onRead) {
  const p = n.payload || {};
  const open = h('a', { class: 'inbox-title', href: p.link || '#/inbox' }, n.title);
  const row = h('article', { class: `card inbox-item ${n.read ? 'read' : 'unread'}`, 'data-id': n.id, 'data-kind': n.kind },
    h('div', { class: 'inbox-head' },
      badge(n.kind_name || n.kind, `kind-note kind-note-${n.kind}`),
      n.read ? null : h('span', { class: 'dot', title: '未读', 'aria-label': '未读' }),
      open,
      h('span', { class: 'muted small inbox-time' }, dateText(n.created_at))),
    n.kind === 'message' ? h('div', { class: 'inbox-body' },
      h('p', { class: 'response-msg' }, p.message || ''),
      p.from && p.from.user ? h('div', { class: 'small muted' }, `来自 ${p.from.org ? p.from.org.name : ''} ${p.from.user.name}`) : null,
      contactLine(p.contact)) : null,
    n.read ? null : h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-small', type: 'button', 'data-action': 'read' }, '标为已读')));
  const mark = async () => {
    if (n.read) return;
    try {
      await api.post(`/v1/inbox/${encodeURIComponent(n.id)}/read`, {});
      n.read = true;
      onRead();
    } catch (err) { toast(err.message, 'error'); }
  };
  open.addEventListener('click', () => { mark(); });
  const btn = row.querySelector('[data-action=read]');
  if (btn) btn.addEventListener('click', async () => { btn.disabled = true; await mark(); });
  return row;
}

export async function inboxPage(view, params, ctx) {
  if (!state.me) {
    view.append(pageHeader('站内信'), emptyState('请先登录', null, h('a', { class: 'btn', href: '#/login' }, '登录')));
    return;
  }
  const onlyUnread = h('input', { type: 'checkbox', id: 'inbox-unread-only' });
  const readAll = h('button', { class: 'btn btn-small', type: 'button', id: 'inbox-read-all' }, '全部标为已读');
  const count = h('span', { class: 'muted', id: 'inbox-count' });
  const list = h('div', { id: 'inbox-list' });
  const more = h('div', { class: 'load-more' });
  add(view, pageHeader('站内信', '需求的响应、响应被采纳、可参加的集采、待确认的价格、客户留言等，本单位所有账号共享。'),
    h('div', { class: 'toolbar' }, count, h('label', { class: 'check' }, onlyUnread, '只看未读'), readAll),
    list, more);
  let unread = 0;
  const showCount = () => {
    count.textContent = unread ? `${unread} 条未读` : '没有未读消息';
    window.dispatchEvent(new CustomEvent('shucu:unread', { detail: unread }));
  };
  const onRead = () => { unread = Math.max(0, unread - 1); showCount(); load(null); };
  async function load(cursor) {
    if (!cursor) clear(list).append(loading());
    clear(more);
    try {
      const box = await api.get('/v1/inbox', { limit: 20, cursor, unread: onlyUnread.checked ? 1 : undefined });
      if (!ctx.alive()) return;
      if (!cursor) clear(list);
      unread = box.unread;
      showCount();
      if (!cursor && !box.items.length) {
        list.append(emptyState(onlyUnread.checked ? '没有未读消息' : '还没有消息', '有新的响应、集采或留言时会出现在这里。'));
      }
      for (const n of box.items) list.append(item(n, onRead));
      if (box.next_cursor) more.append(h('button', { class: 'btn', type: 'button', onclick: () => load(box.next_cursor) }, '加载更多'));
    } catch (err) {
      if (ctx.alive()) clear(list).append(errorBox(err, () => load(null)));
    }
  }
  onlyUnread.addEventListener('change', () => load(null));
  readAll.addEventListener('click', async () => {
    readAll.disabled = true;
    try {
      const r = await api.post('/v1/inbox:read', {});
      toast(r.marked ? `已将 ${r.marked} 条标为已读` : '没有未读消息', 'success');
      await load(null);
    } catch (err) { toast(err.message, 'error'); } finally { readAll.disabled = false; }
  });
  await load(null);
}
