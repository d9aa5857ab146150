// t_errors.mjs - no English in the console (issue 21): each form's failure
// paths, as a user meets them, read as Chinese naming the field in Chinese
// (预算上限不能为负数), and no English sentence is anywhere on the page:
// the need form, the resource form, the campaign form, the login form, the
// account form (user), the respond form, the password and webhook forms.

import { person, loginPassword, englishOnPage, LATIN_SENTENCE } from './people.mjs';

export default function register(test, ctx) {
  const { assert, newPage, open } = ctx;

  // Submits, waits for the form's error, checks it reads as `want` and that
  // nothing on the page is English; returns the text.
  async function fails(page, formSel, submitSel, want) {
    await page.evaluate((sel) => { const b = document.querySelector(`${sel} .form-error, ${sel} .alert-error`); if (b) b.remove(); }, formSel);
    await page.click(submitSel);
    const box = await page.waitForSelector(`${formSel} .form-error, ${formSel} .alert-error`);
    const text = (await box.textContent()).trim();
    assert(text.includes(want), `${formSel}: want "${want}" in "${text}"`);
    assert(!LATIN_SENTENCE.test(text), `${formSel}: English in "${text}"`);
    const english = await englishOnPage(page);
    assert(!english.length, `${formSel}: English on the page: ${english.join(' | ')}`);
    return text;
  }

  test('the respond form proposes the best-fitting resource first and searches the list', async (t, browser, server) => {
    const need = (await server.api('POST', '/v1/needs', {
      title: '纺织印染车间蒸汽和电耗太高，想做能耗在线监测', industry: 'textile', scenarios: ['energy'], region: '湖北省',
    }, server.keys.enterprise)).data;
    const provId = (await server.api('GET', '/v1/me', undefined, server.keys.provider)).data.org.id;
    const m = await server.api('POST', '/v1/match?limit=50', {
      title: need.title, industry: 'textile', scenarios: ['energy'], region: '湖北省',
    }, server.keys.provider);
    const best = (m.data.matches || []).find((x) => x.resource.provider && x.resource.provider.id === provId);
    const page = await newPage(browser, server, t, { key: server.keys.provider });
    await open(page, server, `/needs/${need.id}`);
    await page.waitForSelector('.respond-form');
    await page.waitForFunction(() => !document.querySelector('.respond-hint').textContent.includes('正在'));
    if (best) {
      const first = await page.$eval('.respond-form [name=resource_id]', (s) => s.options[0].value);
      assert(first === best.resource.id, `the best fit (${best.resource.title}) comes first, not ${first}`);
      assert((await page.inputValue('.respond-form [name=resource_id]')) === best.resource.id, 'and is chosen');
      assert((await page.textContent('.respond-hint')).includes(best.resource.title), 'the hint names it');
    }
    const all = await page.$$eval('.respond-form [name=resource_id] option', (os) => os.length);
    await page.fill('.respond-form [name=resource_q]', '能耗');
    const some = await page.$$eval('.respond-form [name=resource_id] option', (os) => os.map((o) => o.textContent));
    assert(some.length >= 1 && some.length < all && some.some((x) => x.includes('能耗')),
      `the search narrows the list (${all} -> ${some.join(' | ')})`);
  });

  test('every form\'s failure paths read as Chinese, with no English on the page', async (t, browser, server) => {
    t.allow.push(/status of 4\d\d/);
    // need form
    const ent = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(ent, server, '/needs/new');
    await ent.waitForSelector('#need-form');
    await fails(ent, '#need-form', '#need-submit', '请填写需求标题');
    await ent.fill('#need-form [name=title]', '错误路径测试需求');
    await ent.selectOption('#need-form [name=industry]', 'machinery');
    await fails(ent, '#need-form', '#need-submit', '请至少选择一个改造场景');
    await ent.check('#need-form input[name=scenarios][value=quality]');
    await ent.fill('#need-form [name="budget.max"]', '-5');
    await fails(ent, '#need-form', '#need-submit', '预算上限不能为负数');
    await ent.fill('#need-form [name="budget.max"]', '200000');
    await ent.selectOption('#need-form [name=current_level]', '3');
    await ent.selectOption('#need-form [name=target_level]', '1');
    await fails(ent, '#need-form', '#need-submit', '目标水平不能低于当前水平');
    await ent.selectOption('#need-form [name=target_level]', '4');
    await ent.fill('#need-form [name="contact.email"]', 'not-an-email');
    await fails(ent, '#need-form', '#need-submit', '电子邮箱格式有误');

    // resource form
    const prov = await newPage(browser, server, t, { key: server.keys.provider });
    await open(prov, server, '/provider/resources/new');
    await prov.waitForSelector('#resource-form');
    await fails(prov, '#resource-form', '#resource-form button[type=submit]', '标题不能为空');
    await prov.fill('#resource-form [name=title]', '错误路径测试资源');
    await fails(prov, '#resource-form', '#resource-form button[type=submit]', '请至少选择一项行业');
    await prov.check('#resource-form input[name=industries][value=machinery]');
    await prov.check('#resource-form input[name=scenarios][value=quality]');
    await prov.fill('#resource-form [name="price.min"]', '90000');
    await prov.fill('#resource-form [name="price.max"]', '100');
    await fails(prov, '#resource-form', '#resource-form button[type=submit]', '最低价格（90000）不能高于最高价格（100）');
    await prov.fill('#resource-form [name="price.min"]', '-1');
    await fails(prov, '#resource-form', '#resource-form button[type=submit]', '最低价格不能为负数');

    // respond form: a quote below zero, then the same response twice
    const need = (await server.api('POST', '/v1/needs', { title: '错误路径测试：待响应需求', industry: 'machinery', scenarios: ['quality'] }, server.keys.enterprise)).data;
    await open(prov, server, `/needs/${need.id}`);
    await prov.waitForSelector('.respond-form');
    await prov.fill('.respond-form [name=quote]', '-100');
    await fails(prov, '.respond-form', '.respond-form button[type=submit]', '报价不能为负数');
    await prov.fill('.respond-form [name=quote]', '1000');
    const rid = await prov.inputValue('.respond-form [name=resource_id]');
    await server.api('POST', `/v1/needs/${need.id}/responses`, { resource_id: rid }, server.keys.provider);
    await fails(prov, '.respond-form', '.respond-form button[type=submit]', '已用这项资源响应过');

    // campaign form
    const cen = await newPage(browser, server, t, { key: server.keys.center });
    await open(cen, server, '/campaigns/new');
    await cen.waitForSelector('#campaign-form');
    await cen.waitForFunction(() => document.querySelector('#campaign-resource').value);
    await cen.fill('#campaign-form [name=title]', '');
    await fails(cen, '#campaign-form', '#campaign-submit', '请填写活动名称');
    await cen.fill('#campaign-form [name=title]', '错误路径测试集采');
    await cen.selectOption('#campaign-form [name=industry]', 'machinery');
    await cen.check('#campaign-form input[name=scenarios][value=quality]');
    const rows = await cen.$$('#campaign-form .tier-row');
    await rows[1].$eval('[name="tier.price"]', (el) => { el.value = '999999999'; });
    await fails(cen, '#campaign-form', '#campaign-submit', '单价不能随参与数增加而上涨');
    await rows[1].$eval('[name="tier.price"]', (el) => { el.value = '1'; });
    await rows[2].$eval('[name="tier.price"]', (el) => { el.value = '0'; });
    await cen.fill('#campaign-form [name=deadline]', '2001-01-01');
    await fails(cen, '#campaign-form', '#campaign-submit', '截止日期应晚于现在');
    await cen.fill('#campaign-form [name=deadline]', '2099-12-31');
    await cen.fill('#campaign-form [name=max_participants]', '1');
    await fails(cen, '#campaign-form', '#campaign-submit', '最多企业数');

    // login form
    const anon = await newPage(browser, server, t);
    await open(anon, server, '/login');
    await fails(anon, '#password-form', '#password-submit', '请填写手机号或邮箱');
    await anon.fill('#password-form [name=login]', 'abc');
    await anon.fill('#password-form [name=password]', 'whatever1');
    await fails(anon, '#password-form', '#password-submit', '请填写手机号或电子邮箱');
    await anon.fill('#password-form [name=login]', '13000000001');
    await anon.fill('#password-form [name=password]', 'whatever1');
    await fails(anon, '#password-form', '#password-submit', '手机号/邮箱或密码错误');
    await anon.fill('#login-form [name=key]', 'shk_not_a_key');
    await fails(anon, '#login-form', '#login-form button[type=submit]', 'API 密钥');

    // user form (an admin giving an organisation an account)
    const admin = await newPage(browser, server, t, { key: server.keys.admin });
    const entOrg = (await server.api('GET', '/v1/me', undefined, server.keys.enterprise)).data.org.id;
    await open(admin, server, `/admin/orgs/${entOrg}`);
    await admin.waitForSelector('#user-form');
    await fails(admin, '#user-form', '#user-submit', '请填写姓名');
    await admin.fill('#user-form [name=name]', '错误路径');
    await fails(admin, '#user-form', '#user-submit', '请填写手机号或电子邮箱');
    await admin.fill('#user-form [name=phone]', '12345');
    await fails(admin, '#user-form', '#user-submit', '手机号应为 11 位数字');
    await admin.fill('#user-form [name=phone]', '13700007777');
    await admin.fill('#user-form [name=password]', 'short');
    await fails(admin, '#user-form', '#user-submit', '密码至少 8 位');
    const taken = await person(server, 'enterprise');
    if (/^1\d{10}$/.test(taken.login)) await admin.fill('#user-form [name=phone]', taken.login);
    else { await admin.fill('#user-form [name=phone]', ''); await admin.fill('#user-form [name=email]', taken.login); }
    await admin.fill('#user-form [name=password]', 'Long-enough-1');
    await fails(admin, '#user-form', '#user-submit', '已被其他用户使用');

    // password and webhook forms of 账号设置
    const me = await newPage(browser, server, t);
    await loginPassword(me, server, await person(server, 'provider'), ctx);
    await open(me, server, '/account');
    await me.waitForSelector('#password-change-form');
    await me.fill('#password-change-form [name=current_password]', 'wrong-one-1');
    await me.fill('#password-change-form [name=password]', 'Another-2026');
    await me.fill('#password-change-form [name=password2]', 'Another-2026');
    await fails(me, '#password-change-form', '#password-change-form button[type=submit]', '当前密码不正确');
    await me.fill('#password-change-form [name=password2]', 'Different-2026');
    await fails(me, '#password-change-form', '#password-change-form button[type=submit]', '两次输入的新密码不一致');
    await me.waitForSelector('#webhook-form');
    await me.fill('#webhook-form [name=url]', 'ftp://bot.example.cn/');
    await fails(me, '#webhook-form', '#webhook-form button[type=submit]', '接收地址应以 http:// 或 https:// 开头');
  });
}
