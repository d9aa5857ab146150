// t_users.mjs - people in the console (issue 21): each role logs in with a
// password and sees its own navigation and name; a wrong password reads as
// Chinese; an admin opens an organisation, gives it an account and an API
// key and revokes the key; a center resets a password, the person logs in
// with the temporary one and must choose their own; a disabled account is
// logged out at once; the devices logged in are listed and one is signed
// out from another.

import { person, loginPassword, englishOnPage } from './people.mjs';

export default function register(test, ctx) {
  const { assert, newPage, open, shot, pages } = ctx;
  for (const role of ['admin', 'center', 'provider', 'enterprise']) {
    pages[role].push('/inbox', '/account');
  }
  pages.admin.push('/admin/orgs');
  pages.center.push('/admin/orgs');

  const NAV = {
    admin: ['数据看板', '机构与用户', '站内信'],
    center: ['集采活动', '机构与用户', '站内信'],
    provider: ['我的资源', '商机', '站内信'],
    enterprise: ['发布需求', '我的需求', '站内信'],
  };

  test('log in with a password as each role; a wrong one reads as Chinese', async (t, browser, server) => {
    t.allow.push(/status of 401/);
    for (const role of ['admin', 'center', 'provider', 'enterprise']) {
      const who = await person(server, role);
      const page = await newPage(browser, server, t);
      if (role === 'enterprise') {
        await open(page, server, '/login');
        await page.fill('#password-form [name=login]', who.login);
        await page.fill('#password-form [name=password]', 'not-the-password-1');
        await page.click('#password-submit');
        const err = await (await page.waitForSelector('#password-form .alert-error')).textContent();
        assert(err.includes('手机号/邮箱或密码错误'), `a wrong password: "${err}"`);
        assert(!(await englishOnPage(page)).length, `English on the login page: ${await englishOnPage(page)}`);
      }
      await loginPassword(page, server, who, ctx);
      const header = await page.textContent('.topbar');
      assert(header.includes(who.org), `${role}: the header names the organisation: ${header}`);
      assert(await page.$('#who-user'), `${role}: the header names the person`);
      for (const item of NAV[role]) assert((await page.textContent('#nav')).includes(item), `${role} nav lacks ${item}`);
      // the session survives a reload (the HttpOnly cookie, not a stored key)
      await page.reload();
      await page.waitForSelector('#logout');
      assert(!(await page.evaluate(() => localStorage.getItem('shucu.apiKey'))), 'no key is stored for a password login');
      const cookieJs = await page.evaluate(() => document.cookie);
      assert(!cookieJs.includes('shucu_session'), 'the session cookie is HttpOnly');
      await page.click('#logout');
      await page.waitForSelector('#login-link');
      const after = await page.evaluate(async () => (await fetch('/v1/me')).status);
      assert(after === 401, `after logout /v1/me answers ${after}`);
    }
  });

  test('the header names who is logged in, with a key or a password, and nothing else', async (t, browser, server) => {
    for (const role of ['admin', 'center', 'provider', 'enterprise']) {
      const page = await newPage(browser, server, t, { key: server.keys[role] });
      await open(page, server, '/search');
      await page.waitForSelector('#logout');
      const who = (await page.textContent('#who')).trim();
      assert(!/\b(null|undefined)\b|\[object/.test(who), `${role} by key: the header says "${who}"`);
      assert(who.includes(server.orgs[role]), `${role}: the header names the organisation: ${who}`);
    }
  });

  test('admin opens an org with an account and a key; center resets and disables; devices', async (t, browser, server) => {
    const admin = await newPage(browser, server, t);
    await loginPassword(admin, server, await person(server, 'admin'), ctx);
    await open(admin, server, '/admin/orgs');
    await admin.waitForSelector('#orgs-table tbody tr');
    await shot(admin, 'orgs.png');
    const name = `浏览器测试机械厂${Date.now() % 100000}`;
    await admin.fill('#org-create-form [name=name]', name);
    await admin.fill('#org-create-form [name=website]', 'https://www.web-test.example.cn');
    await admin.click('#org-create-form button[type=submit]');
    await admin.waitForFunction(() => /^#\/admin\/orgs\/org_/.test(location.hash));
    const orgId = decodeURIComponent((await admin.evaluate(() => location.hash)).split('/')[3]);
    await admin.waitForSelector('#user-form');
    const phone = `137${String(Date.now()).slice(-8)}`;
    await admin.fill('#user-form [name=name]', '周厂长');
    await admin.fill('#user-form [name=phone]', phone);
    await admin.selectOption('#user-form [name=role]', 'enterprise');
    await admin.fill('#user-form [name=password]', 'Zhou-2026-pw');
    await admin.click('#user-submit');
    await admin.waitForFunction(() => document.querySelector('#users-table') && document.querySelector('#users-table').textContent.includes('周厂长'));
    assert((await admin.textContent('#users-table')).includes('管理员'), 'the first account administers its organisation');
    // an API key, shown once, then revoked
    await admin.selectOption('#keys [name=role]', 'enterprise');
    await admin.click('#key-create');
    const key = await (await admin.waitForSelector('#key-secret .secret')).textContent();
    assert(/^shk_/.test(key), `the new key is shown once: ${key}`);
    const ok = await server.api('GET', '/v1/me', undefined, key);
    assert(ok.status === 200 && ok.data.org.id === orgId, 'the key works for the new organisation');
    await shot(admin, 'org-users.png');
    await admin.click(`#keys-table tr[data-prefix="${key.slice(0, 12)}"] [data-action=revoke]`);
    await admin.waitForFunction((p) => document.querySelector(`#keys-table tr[data-prefix="${p}"]`).textContent.includes('已撤销'), key.slice(0, 12));
    t.allow.push(/status of 401/);
    assert((await server.api('GET', '/v1/me', undefined, key)).status === 401, 'a revoked key is refused');

    // the person logs in on two devices
    const zhou = { login: phone, password: 'Zhou-2026-pw' };
    const phoneA = await newPage(browser, server, t);
    await loginPassword(phoneA, server, zhou, ctx);
    const laptop = await newPage(browser, server, t);
    await loginPassword(laptop, server, zhou, ctx);
    await open(laptop, server, '/account');
    await laptop.waitForSelector('#sessions-table tbody tr');
    assert((await laptop.$$('#sessions-table tbody tr')).length === 2, 'two devices listed');
    await shot(laptop, 'account.png', { fullPage: true });
    await laptop.click('#sessions-table [data-action=revoke]');
    await laptop.waitForFunction(() => document.querySelectorAll('#sessions-table tbody tr').length === 1);
    await phoneA.reload();
    await phoneA.waitForSelector('#login-link');

    // a center resets the password: a temporary one, changed at the next login
    const center = await newPage(browser, server, t);
    await loginPassword(center, server, await person(server, 'center'), ctx);
    await open(center, server, `/admin/orgs/${orgId}`);
    await center.waitForSelector('#users-table [data-action=reset]');
    await center.click('#users-table [data-action=reset]');
    const temp = await (await center.waitForSelector('#user-secret .secret')).textContent();
    assert(temp.length === 12, `a temporary password: ${temp}`);
    await laptop.reload();
    await laptop.waitForSelector('#login-link'); // every session ended by the reset
    const fresh = await newPage(browser, server, t);
    await loginPassword(fresh, server, { login: phone, password: temp }, ctx);
    await fresh.waitForSelector('#must-change');
    await fresh.fill('#password-change-form [name=current_password]', temp);
    await fresh.fill('#password-change-form [name=password]', 'Zhou-new-2026');
    await fresh.fill('#password-change-form [name=password2]', 'Zhou-new-2026');
    await fresh.click('#password-change-form button[type=submit]');
    await fresh.waitForFunction(() => !document.querySelector('#must-change'));
    // disabled by the center: logged out at once
    await center.click('#users-table [data-action=disable]');
    await center.waitForSelector('#users-table [data-action=enable]');
    await fresh.reload();
    await fresh.waitForSelector('#login-link');
    await open(fresh, server, '/login');
    await fresh.fill('#password-form [name=login]', phone);
    await fresh.fill('#password-form [name=password]', 'Zhou-new-2026');
    await fresh.click('#password-submit');
    t.allow.push(/status of 403/);
    const err = await (await fresh.waitForSelector('#password-form .alert-error')).textContent();
    assert(err.includes('停用'), `a disabled account: "${err}"`);
  });
}
