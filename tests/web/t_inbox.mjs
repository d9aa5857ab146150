// t_inbox.mjs - 站内信 and contact both ways (issue 21): the inbox receives
// each kind a person can meet (a response to my need, my response
// accepted, a campaign I can join opened, prices to confirm, a message
// from an enterprise) with the unread count in the navigation; opening one
// marks it read and goes to its record; 全部标为已读; 联系服务商 from a
// resource page lands in the provider's inbox with the sender's phone; the
// provider's website is a link; an accepted response shows the provider's
// contact to the enterprise.

import { person, loginPassword, englishOnPage } from './people.mjs';

export default function register(test, ctx) {
  const { assert, newPage, open, shot } = ctx;

  async function kinds(page) {
    return page.$$eval('#inbox-list .inbox-item', (xs) => xs.map((x) => x.dataset.kind));
  }

  test('the inbox receives each kind of notification, with an unread count', async (t, browser, server) => {
    const ent = await newPage(browser, server, t);
    await loginPassword(ent, server, await person(server, 'enterprise'), ctx);
    // a new need, answered by the demo provider through the API
    const need = await ent.evaluate(async () => {
      const me = await (await fetch('/v1/me')).json();
      const r = await fetch('/v1/needs', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: JSON.stringify({ title: '站内信浏览器测试：车间排产想上系统', industry: 'machinery', scenarios: ['planning'], region: '湖北省' }),
      });
      return r.json();
    });
    const provId = (await server.api('GET', '/v1/me', undefined, server.keys.provider)).data.org.id;
    const res = (await server.api('GET', `/v1/resources?limit=50&provider=${provId}`)).data.items.filter((x) => x.status === 'published')[0];
    const resp = await server.api('POST', `/v1/needs/${need.id}/responses`, { resource_id: res.id, message: '可以上门演示' }, server.keys.provider);
    assert(resp.status === 201, `respond: ${resp.status}`);
    await open(ent, server, '/inbox');
    await ent.waitForSelector('#inbox-list .inbox-item');
    const badge = Number(await ent.textContent('#inbox-unread'));
    assert(badge >= 1, `the unread count in the navigation: ${badge}`);
    const k = await kinds(ent);
    assert(k[0] === 'response_received', `newest first: ${k}`);
    if (server.seeded) assert(k.includes('campaign_opened'), `a campaign I can join: ${k}`);
    assert((await ent.textContent('#inbox-list .inbox-item')).includes('站内信浏览器测试'), 'the title names the need');
    assert(!(await englishOnPage(ent)).length, `English on the inbox: ${await englishOnPage(ent)}`);
    await shot(ent, 'inbox.png');
    // opening it marks it read and goes to the need
    await ent.click('#inbox-list .inbox-item.unread .inbox-title');
    await ent.waitForFunction((id) => location.hash === `#/needs/${id}`, need.id);
    await open(ent, server, '/inbox');
    await ent.waitForSelector('#inbox-list .inbox-item');
    const after = await ent.textContent('#inbox-count');
    assert(!after.includes(`${badge} 条`), `one fewer unread: ${after} (was ${badge})`);
    await ent.click('#inbox-read-all');
    await ent.waitForFunction(() => document.querySelector('#inbox-count').textContent.includes('没有未读'));
    assert(!(await ent.$('#inbox-unread')), 'no unread count once all are read');
    // my response accepted, prices to confirm, a message: the provider's inbox
    const acc = await server.api('POST', `/v1/needs/${need.id}/responses/${resp.data.id}/accept`, {}, server.keys.enterprise);
    assert(acc.status === 200, `accept: ${acc.status}`);
    const prov = await newPage(browser, server, t);
    await loginPassword(prov, server, await person(server, 'provider'), ctx);
    await open(prov, server, '/inbox');
    await prov.waitForSelector('#inbox-list .inbox-item');
    const pk = await kinds(prov);
    assert(pk[0] === 'response_accepted', `response accepted first: ${pk}`);
    if (server.seeded) {
      for (const kind of ['campaign_confirm', 'message']) assert(pk.includes(kind), `${kind} in the provider's inbox: ${pk}`);
      assert((await prov.textContent('#inbox-list .inbox-item[data-kind=message]')).includes('13812525293'), 'the message carries its phone');
    }
  });

  test('联系服务商 from a resource, the website a link, the contact after acceptance', async (t, browser, server) => {
    const who = await person(server, 'enterprise');
    const ent = await newPage(browser, server, t);
    await loginPassword(ent, server, who, ctx);
    const provOrg = (await server.api('GET', '/v1/me', undefined, server.keys.provider)).data.org;
    await server.api('PATCH', `/v1/orgs/${provOrg.id}`, { website: 'https://www.hzzz.example.cn', contact: { name: '王经理', phone: '13900001234' } }, server.keys.provider);
    const res = (await server.api('GET', `/v1/resources?limit=50&provider=${provOrg.id}`)).data.items.filter((x) => x.status === 'published')[1];
    await open(ent, server, `/resources/${res.id}`);
    await ent.waitForSelector('#contact-form');
    const href = await (await ent.waitForSelector('#provider-website')).getAttribute('href');
    assert(href === 'https://www.hzzz.example.cn', `the website is a link: ${href}`);
    const anon = await newPage(browser, server, t);
    await open(anon, server, `/resources/${res.id}`);
    await anon.waitForSelector('#provider-website');
    assert(!(await anon.$('#provider-contact')), 'the provider\'s contact is not public');
    assert(!(await anon.$('#contact-form')), 'only a logged-in enterprise contacts a provider');
    await ent.fill('#contact-form [name=message]', '想了解分期实施和报价');
    await ent.fill('#contact-form [name="contact.phone"]', '13800009999');
    await ent.click('#contact-submit');
    await ent.waitForSelector('#contact-sent');
    await shot(ent, 'resource-contact.png');
    const box = await server.api('GET', '/v1/inbox', undefined, server.keys.provider);
    const m = box.data.items.find((x) => x.kind === 'message' && x.payload.resource.id === res.id);
    assert(m && m.payload.contact.phone === '13800009999' && m.payload.message === '想了解分期实施和报价', `the provider got it: ${JSON.stringify(m)}`);
    // an accepted response shows the provider's contact on the need
    const need = (await server.api('POST', '/v1/needs', { title: '联系方式互见测试需求', industry: 'machinery', scenarios: ['quality'] }, server.keys.enterprise)).data;
    const r = await server.api('POST', `/v1/needs/${need.id}/responses`, { resource_id: res.id }, server.keys.provider);
    await server.api('POST', `/v1/needs/${need.id}/responses/${r.data.id}/accept`, {}, server.keys.enterprise);
    const ek = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(ek, server, `/needs/${need.id}`);
    const pc = await (await ek.waitForSelector('#responses .provider-contact')).textContent();
    assert(pc.includes('13900001234') && pc.includes('王经理'), `the provider's contact: ${pc}`);
  });
}
