// run.mjs - the console's browser tests (see lib.mjs for the harness and
// run.sh for how to run them).  Each test does what a user of one role
// would do and checks what that user would see.

import { readdirSync } from 'node:fs';
import { Server, run, newPage, open, shot, strayText, assert, Skip } from './lib.mjs';

const NOT_FOUND_LOAD = /Failed to load resource: the server responded with a status of 404/;
const shared = {};  // state handed from one test to the next (need id, campaign id)

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

async function loginByForm(page, server, key) {
  await open(page, server, '/login');
  await page.fill('#login-form input[name=key]', key);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#logout');
}

test('login with an API key, role and organisation shown, logout', async (t, browser, server) => {
  t.allow.push(/status of 401/);
  const page = await newPage(browser, server, t);
  await open(page, server, '/login');
  await shot(page, 'login.png');
  // A wrong key: a readable Chinese error, still anonymous.
  await page.fill('#login-form input[name=key]', 'shk_not_a_real_key_000000000000000');
  await page.click('#login-form button[type=submit]');
  const err = await page.textContent('#login-form .alert-error');
  assert(/未登录或 API 密钥无效/.test(err), `login error should be readable Chinese, got "${err}"`);
  await loginByForm(page, server, server.keys.enterprise);
  const who = await page.textContent('#who');
  assert(who.includes(server.orgs.enterprise) && who.includes('企业'), `header should show org and role, got "${who}"`);
  // The key is kept: a reload stays logged in.
  await page.reload();
  await page.waitForSelector('#logout');
  assert((await page.textContent('#nav')).includes('发布需求'), 'enterprise nav should offer 发布需求');
  await page.click('#logout');
  await page.waitForSelector('#login-link');
  assert(await page.evaluate(() => !localStorage.getItem('shucu.apiKey')), 'logout should forget the key');
});

test('search 质检 as anonymous: highlighted hits, escaped input, pagination', async (t, browser, server) => {
  const page = await newPage(browser, server, t);
  await open(page, server, '/search');
  await page.fill('#search-q', '质检');
  await page.waitForFunction(() => /q=%E8%B4%A8%E6%A3%80/.test(location.hash) && !document.querySelector('#hits.stale') && document.querySelector('#hits .hit'));
  const marks = await page.$$eval('#hits mark', (ms) => ms.map((m) => m.textContent));
  assert(marks.includes('质检'), `a hit should highlight <mark>质检</mark>, marks: ${marks.slice(0, 8).join(',')}`);
  const html = await page.$eval('#hits', (el) => el.innerHTML);
  assert(html.includes('<mark>质检</mark>'), 'highlight should be inserted as HTML');
  const total = Number(await page.textContent('#search-total'));
  assert(total > 0, 'total should be positive');
  await shot(page, 'search.png');
  // Whatever the user types is text, never markup.
  await page.fill('#search-q', '<img src=x onerror="window.__xss=1">质检');
  await page.waitForFunction(() => location.hash.includes('img') && !document.querySelector('#hits.stale'));
  await page.waitForTimeout(300);
  assert(!(await page.evaluate(() => window.__xss)), 'typed markup must not run');
  assert(!(await page.$('#hits img')), 'typed markup must not become an element');
  // Pagination over the whole pool.
  await page.fill('#search-q', '');
  await page.waitForFunction(() => !location.hash.includes('q=') && !document.querySelector('#hits.stale'));
  const all = Number(await page.textContent('#search-total'));
  if (all > 20) {
    const first = await page.$eval('#hits .hit', (e) => e.dataset.id);
    await page.click('#pager button:has-text("下一页")');
    await page.waitForFunction((id) => location.hash.includes('page=2') && document.querySelector('#hits .hit') && document.querySelector('#hits .hit').dataset.id !== id, first);
  }
});

test('filters and facet counts update with the query', async (t, browser, server) => {
  const page = await newPage(browser, server, t);
  await open(page, server, '/search?q=质检');
  await page.waitForSelector('#hits .hit');
  const counts = async (field) => page.$$eval(`input[data-facet="${field}"]`, (cbs) => Object.fromEntries(cbs.map((cb) => [cb.value, Number(cb.closest('.facet').querySelector('.facet-count').textContent || 0)])));
  const kinds = await counts('kind');
  const industries0 = await counts('industry');
  const total0 = Number(await page.textContent('#search-total'));
  const [kind, n] = Object.entries(kinds).filter(([k]) => k !== 'provider').sort((a, b) => b[1] - a[1])[0];
  assert(n > 0 && n <= total0, `facet count for ${kind} should be within the total (${n} of ${total0})`);
  await page.check(`input[data-facet="kind"][value="${kind}"]`);
  await page.waitForFunction((k) => location.hash.includes(`kind=${k}`) && !document.querySelector('#hits.stale'), kind);
  await page.waitForFunction((want) => Number(document.querySelector('#search-total').textContent) === want, n);
  const kinds1 = await counts('kind');
  assert(kinds1[kind] === n, 'the ticked kind keeps its count');
  const others = Object.entries(kinds).filter(([k, c]) => k !== kind && c > 0);
  assert(others.every(([k, c]) => kinds1[k] === c), 'counts of the other kinds stay (OR within a field)');
  const industries1 = await counts('industry');
  assert(JSON.stringify(industries1) !== JSON.stringify(industries0), 'industry counts should follow the kind filter');
  const cards = await page.$$eval('#hits .hit .badge.kind', (bs) => bs.map((b) => b.className));
  assert(cards.every((c) => c.includes(`kind-${kind}`)), 'every hit has the ticked kind');
  // An industry on top: AND across fields, total equals that facet's count.
  const [ind, m] = Object.entries(industries1).sort((a, b) => b[1] - a[1])[0];
  await page.check(`input[data-facet="industry"][value="${ind}"]`);
  await page.waitForFunction((want) => !document.querySelector('#hits.stale') && Number(document.querySelector('#search-total').textContent) === want, m);
  // A price cap lowers or keeps the total; a region filter applies.
  await page.fill('#filter-price', '1');
  await page.waitForFunction(() => location.hash.includes('max_price=1') && !document.querySelector('#hits.stale'));
  const capped = Number(await page.textContent('#search-total'));
  assert(capped <= m, 'max price should not add hits');
  await page.click('#filters-clear');
  await page.waitForFunction(() => !/kind=|industry=|max_price=/.test(location.hash) && !document.querySelector('#hits.stale'));
  await page.waitForFunction((want) => Number(document.querySelector('#search-total').textContent) === want, total0);
  await page.selectOption('#filter-region', '湖北省');
  await page.waitForFunction(() => location.hash.includes('region=') && !document.querySelector('#hits.stale'));
  await page.selectOption('#search-sort', 'price_asc');
  await page.waitForFunction(() => location.hash.includes('sort=price_asc') && !document.querySelector('#hits.stale'));
});

test('resource page shows fields, price, levels, provider', async (t, browser, server) => {
  const page = await newPage(browser, server, t);
  await open(page, server, '/search?q=质检');
  await page.waitForSelector('#hits .hit');
  await page.click('#hits .hit a.hit-title');
  await page.waitForFunction(() => location.hash.startsWith('#/resources/'));
  shared.resourceId = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
  await page.waitForSelector('.provider-card');
  const text = await page.textContent('#view');
  for (const w of ['关键信息', '价格', '数字化水平', '适用行业与场景', '应用案例', '服务商', '评分']) assert(text.includes(w), `resource page lacks ${w}`);
  await shot(page, 'resource.png', { fullPage: true });
});

test('enterprise posts a need and sees ranked matches with explain bars', async (t, browser, server) => {
  const page = await newPage(browser, server, t, { key: server.keys.enterprise });
  await open(page, server, '/needs/new');
  await page.waitForSelector('#need-form');
  await page.fill('#need-form [name=description]', '我们是做汽车注塑件和机加工的，70多人，外观检测全靠人工目检，漏检多，客户投诉。想上视觉质检，预算20万以内。');
  await page.selectOption('#need-form [name=industry]', 'machinery');
  await page.check('#need-form input[name=scenarios][value=quality]');
  await page.selectOption('#need-form [name=region]', '湖北省');
  await page.fill('#need-form [name="budget.max"]', '200000');
  await page.selectOption('#need-form [name=enterprise_size]', 'small');
  await page.selectOption('#need-form [name=current_level]', '1');
  await page.selectOption('#need-form [name=target_level]', '2');
  await page.fill('#need-form [name="contact.name"]', '丁工');
  await page.fill('#need-form [name="contact.phone"]', '13800001111');
  await page.fill('#need-form [name=title]', '注塑件外观质检想换成机器视觉，人工漏检多');
  await shot(page, 'need-form.png', { fullPage: true });
  // A missing title: a local Chinese message, the field marked.
  await page.fill('#need-form [name=title]', '');
  await page.click('#need-submit');
  assert((await page.textContent('#need-form .form-error')).includes('标题'), 'empty title is reported');
  await page.fill('#need-form [name=title]', '注塑件外观质检想换成机器视觉，人工漏检多');
  await page.click('#need-submit');
  await page.waitForFunction(() => /^#\/needs\/need_/.test(location.hash));
  shared.needId = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
  await page.waitForSelector('#matches .match');
  const matches = await page.$$eval('#matches .match', (ms) => ms.map((m) => Number(m.dataset.score)));
  assert(matches.length >= 1, 'at least one match');
  for (let i = 1; i < matches.length; i++) assert(matches[i] <= matches[i - 1] + 1e-9, `matches should be ranked by score: ${matches}`);
  // The bars of the first match: 8 parts, widths proportional to the values.
  const bars = await page.$eval('#matches .match', (m) => [...m.querySelectorAll('.explain-row')].map((row) => {
    const fill = row.querySelector('.explain-fill');
    return {
      part: row.dataset.part, label: row.querySelector('.explain-label').textContent, value: Number(fill.dataset.value),
      width: fill.getBoundingClientRect().width, full: row.querySelector('.explain-bar').getBoundingClientRect().width,
    };
  }));
  assert(bars.map((b) => b.label).join('') === '文本行业场景水平预算地区质量适配', `explain parts: ${bars.map((b) => b.label)}`);
  assert(bars.some((b) => b.width > 0), 'some bar is drawn');
  for (const b of bars) {
    const want = Math.min(1, b.value / 0.3) * b.full;
    assert(Math.abs(b.width - want) <= 1.5, `bar ${b.part} is ${b.width}px for ${b.value}, want ${want.toFixed(1)}px`);
  }
  const sum = bars.reduce((a, b) => a + b.value, 0);
  assert(Math.abs(sum - matches[0]) < 0.002, `parts add up to the score (${sum} vs ${matches[0]})`);
  const bigger = [...bars].sort((a, b) => b.value - a.value);
  assert(bigger[0].width >= bigger[bigger.length - 1].width, 'a larger part has a wider bar');
  const terms = await page.$$eval('#matches .match:first-child .chip-term', (cs) => cs.map((c) => c.textContent));
  t.notes.push(`${matches.length} matches, top ${matches[0]}, terms ${terms.join('/') || '—'}`);
  await shot(page, 'matches.png', { until: '#matches .match:nth-child(3)' });
  // 我的需求 lists it.
  await open(page, server, '/needs');
  await page.waitForSelector(`#needs-list [data-id="${shared.needId}"]`);
  await shot(page, 'needs.png', { fullPage: true });
});

test('provider manages resources: create, edit, withdraw, bulk import', async (t, browser, server) => {
  const page = await newPage(browser, server, t, { key: server.keys.provider });
  await open(page, server, '/provider/resources');
  await page.waitForSelector('#my-resources table, #my-resources .empty');
  await page.click('#new-resource');
  await page.waitForSelector('#resource-form');
  await page.selectOption('#resource-form [name=kind]', 'product');
  await page.fill('#resource-form [name=title]', '视觉质检一体机 VQ-200');
  await page.fill('#resource-form [name=summary]', '机器视觉质检，替代人工目检');
  await page.check('#resource-form input[name=industries][value=machinery]');
  await page.check('#resource-form input[name=scenarios][value=quality]');
  await page.fill('#resource-form [name="price.min"]', '50000');
  await page.fill('#resource-form [name="price.max"]', '90000');
  await page.fill('#resource-form [name="price.unit"]', '台');
  await page.selectOption('#resource-form [name="levels.from"]', '1');
  await page.selectOption('#resource-form [name="levels.to"]', '2');
  await page.fill('#resource-form [name=tags]', '质检，视觉');
  await shot(page, 'resource-form.png', { fullPage: true });
  await page.click('#resource-form button[type=submit]');
  await page.waitForFunction(() => /^#\/resources\/res_/.test(location.hash));
  const id = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
  shared.myResourceId = id;
  await page.waitForSelector('h1:has-text("视觉质检一体机 VQ-200")');
  // Edit (PATCH with If-Match).
  await open(page, server, `/provider/resources/${id}/edit`);
  await page.waitForSelector('#resource-form');
  await page.fill('#resource-form [name=title]', '视觉质检一体机 VQ-200（升级版）');
  await page.click('#resource-form button[type=submit]');
  await page.waitForSelector('h1:has-text("升级版")');
  // A server-side validation error is shown in Chinese with the field.
  await open(page, server, `/provider/resources/${id}/edit`);
  await page.waitForSelector('#resource-form');
  await page.fill('#resource-form [name="price.min"]', '90000');
  await page.fill('#resource-form [name="price.max"]', '100');
  t.allow.push(/status of 422/);
  await page.click('#resource-form button[type=submit]');
  const msg = await (await page.waitForSelector('#resource-form .form-error')).textContent();
  assert(/填写有误/.test(msg), `422 should read as Chinese, got "${msg}"`);
  // Withdraw from the list.
  await open(page, server, '/provider/resources');
  await page.waitForSelector(`#resources-table tr[data-id="${id}"]`);
  await shot(page, 'provider-resources.png');
  await page.click(`#resources-table tr[data-id="${id}"] [data-action=withdraw]`);
  await page.waitForFunction((rid) => {
    const tr = document.querySelector(`#resources-table tr[data-id="${rid}"]`);
    return tr && tr.textContent.includes('已下架');
  }, id);
  // Bulk import: two good lines, one bad.
  await open(page, server, '/provider/import');
  const lines = [
    { kind: 'service', title: 'ISO 9001 质量体系认证辅导', industries: ['general'], scenarios: ['quality'], external_id: 'HZZZ-0901' },
    { kind: 'service', title: '质量内审员培训', industries: ['no_such_industry'], scenarios: ['quality'] },
    { kind: 'product', title: '设备点检移动端', industries: ['machinery'], scenarios: ['equipment'], external_id: 'HZZZ-0902' },
  ].map((x) => JSON.stringify(x)).join('\n') + '\n';
  await page.setInputFiles('#import-file', { name: 'resources.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines) });
  await page.click('#import-form button[type=submit]');
  await page.waitForSelector('#import-created');
  const got = await page.evaluate(() => ['created', 'updated', 'failed'].map((k) => Number(document.querySelector(`#import-${k}`).textContent)));
  assert(got[0] + got[1] === 2 && got[2] === 1, `bulk result created+updated=2, failed=1; got ${got}`);
  const errLine = await page.textContent('#import-errors tbody tr td');
  assert(errLine.trim() === '2', `the bad line is line 2, got ${errLine}`);
  const why = await page.textContent('#import-errors tbody tr .import-error');
  assert(/^填写有误：行业/.test(why), `the error of a line reads as Chinese, got "${why}"`);
  await shot(page, 'import.png');
});

test('provider responds to a need, enterprise accepts, contact revealed', async (t, browser, server) => {
  if (!shared.needId) throw new Error('needs the need of the earlier test');
  const prov = await newPage(browser, server, t, { key: server.keys.provider });
  await open(prov, server, '/provider/opportunities');
  await prov.waitForSelector('#opportunities .opportunity, #opportunities .empty');
  if (await prov.$('#opportunities .opportunity details.why')) {
    await prov.$eval('#opportunities .opportunity details.why', (d) => { d.open = true; });
    await shot(prov, 'opportunities.png', { until: '#opportunities .opportunity:nth-of-type(3)' });
  }
  await open(prov, server, '/needs');
  await prov.waitForSelector('#needs-list .need-row');
  await shot(prov, 'needs-hall.png');
  await open(prov, server, `/needs/${shared.needId}`);
  await prov.waitForSelector('.respond-form');
  assert(!(await prov.textContent('#view')).includes('13800001111'), 'the contact is hidden before acceptance');
  const qms = await prov.$$eval('.respond-form [name=resource_id] option', (os) => (os.find((o) => o.textContent === 'QMS质量管理系统') || {}).value);
  if (qms) await prov.selectOption('.respond-form [name=resource_id]', qms);
  await prov.fill('.respond-form [name=quote]', '150000');
  await prov.fill('.respond-form [name=message]', '可上门演示，三周上线');
  await prov.click('.respond-form button[type=submit]');
  await prov.waitForSelector('#responses .response');

  const ent = await newPage(browser, server, t, { key: server.keys.enterprise });
  await open(ent, server, `/needs/${shared.needId}`);
  await ent.waitForSelector('#responses [data-action=accept]');
  await shot(ent, 'need-responses.png');
  await ent.click('#responses [data-action=accept]');
  await ent.waitForFunction(() => document.querySelector('#responses') && document.querySelector('#responses').textContent.includes('已接受'));

  await open(prov, server, `/needs/${shared.needId}`);
  await prov.waitForSelector('#responses .response');
  await prov.waitForFunction(() => document.querySelector('#view').textContent.includes('13800001111'));
  await open(prov, server, '/provider/opportunities');
  await prov.waitForSelector('#accepted .accepted-item');
});

test('center creates a campaign from a cluster; enterprises join; progress and levels', async (t, browser, server) => {
  if (!(await server.hasRoute('GET', '/v1/campaigns', server.keys.center)) || !(await server.hasRoute('GET', '/v1/demand/clusters', server.keys.center))) {
    throw new Skip('campaign routes return 404 on this server');
  }
  const center = await newPage(browser, server, t, { key: server.keys.center });
  await open(center, server, '/campaigns');
  await center.waitForSelector('#clusters .cluster, #clusters .empty');
  await shot(center, 'campaigns.png', { fullPage: true });
  let fromCluster = !!(await center.$('#clusters .cluster'));
  if (fromCluster) {
    await center.click('#clusters .cluster [data-action=from-cluster]');
  } else {
    await center.click('#new-campaign');
  }
  await center.waitForSelector('#campaign-form');
  await center.waitForFunction(() => document.querySelector('#campaign-resource').value);
  if (fromCluster) {
    const title = await center.inputValue('#campaign-form [name=title]');
    assert(title.length > 0 && (await center.inputValue('#campaign-form [name=industry]')), 'the form is prefilled from the cluster');
  } else {
    await center.fill('#campaign-form [name=title]', '浏览器测试集采');
    await center.selectOption('#campaign-form [name=industry]', 'machinery');
    await center.check('#campaign-form input[name=scenarios][value=quality]');
  }
  await center.fill('#campaign-form [name=min_participants]', '2');
  const tiers = await center.$$('#campaign-form .tier-row');
  const vals = [[2, 90000], [3, 80000], [5, 70000]];
  for (let i = 0; i < tiers.length && i < 3; i++) {
    await tiers[i].$eval('[name="tier.min"]', (el, v) => { el.value = v; }, String(vals[i][0]));
    await tiers[i].$eval('[name="tier.price"]', (el, v) => { el.value = v; }, String(vals[i][1]));
  }
  await shot(center, 'campaign-form.png', { fullPage: true });
  await center.click('#campaign-submit');
  await center.waitForFunction(() => /^#\/campaigns\/camp_/.test(location.hash));
  const cid = decodeURIComponent((await center.evaluate(() => location.hash)).split('/')[2]);
  shared.campaignId = cid;
  await center.waitForSelector('#campaign-actions [data-to=open]');
  // issue 21: the resource's provider confirms the tier prices before the
  // campaign opens (its key made by the admin: the resource may be anyone's)
  const made = await server.api('GET', `/v1/campaigns/${cid}`, undefined, server.keys.center);
  const pkey = (await server.api('POST', `/v1/orgs/${made.data.resource.provider.id}/keys`, { role: 'provider' }, server.keys.admin)).data.key;
  const conf = await server.api('POST', `/v1/campaigns/${cid}/confirm`, {}, pkey);
  assert(conf.status === 200, `the provider confirms the prices: ${conf.status}`);
  await open(center, server, `/campaigns/${cid}`);
  await center.waitForSelector('#campaign-actions [data-to=open]:not([disabled])');
  await center.click('#campaign-actions [data-to=open]');
  await center.waitForSelector('.badge.cstatus-open');

  // An enterprise joins, leaves and joins again through the console.
  const ent = await newPage(browser, server, t, { key: server.keys.enterprise });
  await open(ent, server, `/campaigns/${cid}`);
  await ent.click('#campaign-join');
  await ent.waitForSelector('#campaign-leave');
  assert((await ent.textContent('#participant-count')) === '1', 'one participant after joining');
  await ent.click('#campaign-leave');
  await ent.waitForSelector('#campaign-join');
  await ent.click('#campaign-join');
  await ent.waitForSelector('#campaign-leave');
  // Two more enterprises join through the API: the price falls a tier.
  for (const name of ['荆门汉江纺织有限公司', '随州银河纺织印染有限公司']) {
    const key = server.createKey('enterprise', name);
    const r = await server.api('POST', `/v1/campaigns/${cid}/join`, {}, key);
    assert(r.status === 200 || r.status === 201, `join via API: ${r.status} ${JSON.stringify(r.data)}`);
  }
  await open(center, server, `/campaigns/${cid}`);
  await center.waitForSelector('#participants-table tbody tr');
  const current = await center.$eval('.tier-current .tier-min', (e) => e.textContent);
  assert(current.includes('3'), `with 3 participants the ≥3 tier is current, got "${current}"`);
  assert((await center.textContent('.tier-current .tier-price')).includes('8 万元'), 'current tier price shown');
  // Close early and sign: each participant gets its project (issue 19);
  // progress and levels follow it, nothing is typed in by hand.
  await center.click('#campaign-actions [data-to=succeeded]');
  await center.waitForSelector('.badge.cstatus-succeeded');
  await center.click('#campaign-actions [data-to=contracted]');
  await center.waitForSelector('.badge.cstatus-contracted');
  const row = `#participants-table tr[data-org]`;
  await center.waitForSelector(row);
  await center.waitForFunction(() => [...document.querySelectorAll('#participants-table tr[data-org]')]
    .every((tr) => tr.textContent.includes('已签约') && tr.querySelector('a[data-action=project]')));
  assert(!(await center.$(`${row} select[name=level_before]`)), 'no level is typed in by hand');
  const revs = await center.$$eval('#revisions li', (ls) => ls.length);
  assert(revs >= 3, `revision history lists the changes (${revs})`);
  const reasons = await center.$$eval('#revisions .revision-reason', (ds) => ds.map((d) => d.textContent));
  assert(reasons.includes('随实施项目推进') && reasons.includes('报名参加') && reasons.includes('退出活动') && reasons.includes('创建活动'),
    `the reasons shucud writes read as Chinese: ${reasons.join(' / ')}`);
  assert(!reasons.some((r) => /[a-z]{3,}/.test(r)), `no English in the revision history: ${reasons.join(' / ')}`);
  await shot(center, 'campaign.png', { fullPage: true });
  await open(ent, server, `/campaigns/${cid}`);
  await ent.waitForSelector('#campaign-leave, #tiers');
  await shot(ent, 'campaign-enterprise.png');
  t.notes.push(fromCluster ? 'from a demand cluster' : 'from the form (no clusters)');
});

test('dashboard draws its charts', async (t, browser, server) => {
  const page = await newPage(browser, server, t, { key: server.keys.center });
  if (!(await server.hasRoute('GET', '/v1/stats', server.keys.center))) {
    t.allow.push(NOT_FOUND_LOAD);
    await open(page, server, '/dashboard');
    await page.waitForSelector('#dashboard .empty');
    throw new Skip('GET /v1/stats returns 404: the empty state is shown');
  }
  await open(page, server, '/dashboard');
  await page.waitForSelector('#chart-needs-industry canvas, #chart-needs-industry .empty');
  await page.waitForTimeout(300);
  const charts = await page.$$eval('.chart', (els) => els.map((el) => {
    const c = el.querySelector('canvas');
    if (!c) return { id: el.id, canvas: false };
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 3; i < data.length; i += 4 * 7) if (data[i] > 0) ink++;
    return { id: el.id, canvas: true, ink, w: c.width, h: c.height };
  }));
  const drawn = charts.filter((c) => c.canvas && c.ink > 50);
  for (const id of ['chart-needs-industry', 'chart-needs-scenario', 'chart-gaps']) {
    assert(drawn.some((c) => c.id === id), `${id} should be drawn: ${JSON.stringify(charts)}`);
  }
  if (shared.campaignId) {
    for (const id of ['chart-campaigns', 'chart-uplift']) assert(drawn.some((c) => c.id === id), `${id} should be drawn after a campaign`);
  }
  t.notes.push(`${drawn.length} of ${charts.length} charts drawn`);
  await shot(page, 'dashboard.png', { fullPage: true });
});

test('every page of every role loads without console errors', async (t, browser, server) => {
  const routes = {
    ...Object.fromEntries(Object.entries(extraPages).map(([k, v]) => [k, []])),
    anonymous: ['/search', '/login', '/needs', '/campaigns', '/dashboard', '/nope', shared.resourceId && `/resources/${shared.resourceId}`],
    enterprise: ['/search', '/needs/new', '/needs', '/campaigns', shared.needId && `/needs/${shared.needId}`, shared.campaignId && `/campaigns/${shared.campaignId}`],
    provider: ['/provider/resources', '/provider/resources/new', shared.myResourceId && `/provider/resources/${shared.myResourceId}/edit`,
      '/provider/import', '/provider/opportunities', '/needs', '/campaigns', shared.campaignId && `/campaigns/${shared.campaignId}`],
    center: ['/needs', '/campaigns', '/campaigns/new', '/dashboard', shared.needId && `/needs/${shared.needId}`],
    admin: ['/dashboard', '/needs', '/search'],
  };
  for (const [role, list] of Object.entries(extraPages)) routes[role].push(...list.map((f) => (typeof f === 'function' ? f(shared) : f)));
  const missing = [];
  for (const [p, m] of [['/v1/campaigns', 'GET'], ['/v1/demand/clusters', 'GET'], ['/v1/stats', 'GET']]) {
    if (!(await server.hasRoute(m, p, server.keys.center))) missing.push(p);
  }
  if (missing.length) t.allow.push(new RegExp(`status of 404.*(${missing.map((x) => x.replace(/\//g, '\\/')).join('|')})`));
  let n = 0;
  for (const [role, list] of Object.entries(routes)) {
    const page = await newPage(browser, server, t, { key: role === 'anonymous' ? undefined : server.keys[role] });
    for (const r of list.filter(Boolean)) {
      await open(page, server, r);
      await page.waitForFunction(() => !document.querySelector('#view .loading'), null, { timeout: 15000 });
      const bad = await page.$('#view .alert-error');
      if (bad) throw new Error(`${role} ${r}: ${await bad.textContent()}`);
      const stray = await strayText(page);
      if (stray.length) throw new Error(`${role} ${r}: stray text on the page: ${stray.join(', ')}`);
      n++;
    }
  }
  t.notes.push(`${n} pages${missing.length ? `; routes not there yet: ${missing.join(' ')}` : ''}`);
});

test('narrow screen: the layout stacks and the menu opens', async (t, browser, server) => {
  const page = await newPage(browser, server, t, { viewport: { width: 390, height: 800 } });
  await open(page, server, '/search?q=质检');
  await page.waitForSelector('#hits .hit');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `no horizontal scrolling on a phone (${overflow}px)`);
  const top = await page.$eval('#hits .hit', (e) => e.getBoundingClientRect().top);
  assert(top < 800 - 100, `the first hit is on the first screen, not below the filters (top ${top}px)`);
  await shot(page, 'mobile.png');
  await page.click('.nav-toggle');
  assert(await page.isVisible('#nav a'), 'the menu opens');
});

// More tests live in t_*.mjs beside this file, one file per area of the
// console: each default-exports register(test, ctx), which adds its tests
// (in file-name order, after the ones above but before the page sweep and
// the phone test) and its pages to ctx.pages[role] for the sweep.
const extraPages = { anonymous: [], enterprise: [], provider: [], center: [], admin: [] };
const sweep = tests.splice(tests.length - 2, 2);
for (const f of readdirSync(new URL('.', import.meta.url)).filter((n) => /^t_.*\.mjs$/.test(n)).sort()) {
  const mod = await import(new URL(f, import.meta.url));
  mod.default(test, { loginByForm, shared, pages: extraPages, assert, newPage, open, shot, strayText, Skip });
}
tests.push(...sweep);

const server = new Server();
let result = { passed: 0, failed: 1 };
try {
  await server.start();
  console.log(`shucud on ${server.base} (${server.seeded ? 'demo data' : 'resources posted through the API'})`);
  result = await run(tests, server, process.argv[2]);
} catch (err) {
  console.log(`FAIL  harness: ${err.stack || err.message}`);
} finally {
  await server.stop();
}
console.log(`${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed ? 1 : 0);
