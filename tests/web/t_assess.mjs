// t_assess.mjs - browser tests of 评估诊断 and 建档立卡 (issue 18): the
// questionnaire an SME owner fills alone (one group at a time, ladder
// steps as choices, running score, drafts saved as they go, evidence
// beside its question), the scorecard (total, level badge, radar, 16 × 4
// grid, what the next level needs), the gap list with 生成需求, and for a
// center the verification queue, the enterprise register with its
// filters, and an enterprise's file with its assessment history.
//
// Run by run.mjs (see its comment on t_*.mjs); the demo data gives the
// enterprise key a verified assessment and a draft, and the center a
// queue of submitted ones.

const local = {};  // ids found through the API, shared by the tests below

// Lower-case ASCII words of four letters or more inside sel: codes such as
// product_design or verified that should have been put in Chinese.
async function englishIn(page, sel) {
  return page.$$eval(sel, (els) => {
    const out = [];
    for (const el of els) {
      const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const m = n.data.match(/\b[a-z_]{4,}\b/g);
        if (m) out.push(...m);
      }
    }
    return out;
  });
}

async function ids(server) {
  if (local.verified) return;
  const ent = server.keys.enterprise;
  const mine = (await server.api('GET', '/v1/assessments?limit=100', undefined, ent)).data.items;
  // the demo's own self-assessment (the demo activity adds on-site re-assessments after projects)
  local.verified = (mine.find((a) => a.status === 'verified' && a.mode === 'self') || mine.find((a) => a.status === 'verified') || {}).id;
  local.draft = (mine.find((a) => a.status === 'draft') || {}).id;
  local.org = (await server.api('GET', '/v1/me', undefined, ent)).data.org.id;
  const queue = (await server.api('GET', '/v1/assessments?status=submitted', undefined, server.keys.center)).data.items;
  local.submitted = queue.map((a) => a.id);
}

export default function register(test, ctx) {
  const { assert, newPage, open, shot, shared, pages, Skip } = ctx;

  test('assessment: one group at a time, autosaved, 无 stands alone, submitted', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data (a draft of the demo enterprise)');
    await ids(server);
    assert(local.draft && local.verified, `the demo enterprise should have a draft and a verified assessment: ${JSON.stringify(local)}`);
    const page = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(page, server, '/assess');
    await page.waitForSelector('#assess-list .assess-card');
    const cards = await page.$$eval('#assess-list .assess-card', (els) => els.map((e) => e.textContent));
    assert(cards.some((c) => c.includes('已核验')) && cards.some((c) => c.includes('草稿')), `the list shows the verified one and the draft: ${cards}`);
    await shot(page, 'assess-list.png');
    await page.click('#assess-start');
    await page.waitForSelector('#assess-step .question');
    const steps = await page.$$eval('#assess-steps li', (els) => els.map((e) => e.textContent));
    assert(steps.length === 14 && steps[0].includes('设备系统') && steps[13].includes('检查并提交'), `13 groups and a last step: ${steps}`);
    // the demo draft has the first groups filled: the page opens at the first unfinished one
    const first = await page.$eval('#assess-steps li.current', (e) => e.textContent);
    assert(!first.includes('设备系统'), `opens where the owner stopped, not at the start: ${first}`);
    await page.click('#assess-steps li:first-child button');
    await page.waitForSelector('#q-network');
    // 无 stands alone in a multi question
    await page.check('#q-network input[value=C]');
    await page.check('#q-network input[value=A]');
    assert(!(await page.isChecked('#q-network input[value=C]')), '无 unticks the other options');
    await page.check('#q-network input[value=D]');
    assert(!(await page.isChecked('#q-network input[value=A]')), 'another option unticks 无');
    // evidence beside its question
    assert(await page.$('#q-device_digital_rate .figures input'), 'evidence figures sit beside their question');
    await page.fill('#q-device_digital_rate input[name="ev-device_digital_rate-devices_total"]', '48');
    await page.press('#q-device_digital_rate input[name="ev-device_digital_rate-devices_total"]', 'Tab');
    await page.waitForFunction(() => /已保存/.test(document.querySelector('#save-state').textContent));
    const before = Number(await page.textContent('#running-score strong'));
    await shot(page, 'assess-form.png', { fullPage: true });
    // every group: the second choice of each question, step 2 of each scene
    for (let i = 0; i < 13; i++) {
      await page.click(`#assess-steps li:nth-child(${i + 1}) button`);
      await page.waitForSelector('#assess-step .question');
      for (const q of await page.$$('#assess-step .question')) {
        const scene = await q.evaluate((e) => e.classList.contains('scene'));
        const boxes = await q.$$('.options input');
        if (scene) { await boxes[2].check(); continue; }
        if (!(await q.$('.options input:checked'))) await boxes[1].check();
      }
    }
    await page.waitForFunction(() => /已保存/.test(document.querySelector('#save-state').textContent), null, { timeout: 15000 });
    const after = Number(await page.textContent('#running-score strong'));
    assert(after > before, `the running score follows the answers (${before} -> ${after})`);
    const leaks = await englishIn(page, '#assess-step, #score-panel, #assess-steps');
    assert(!leaks.length, `no English on the questionnaire: ${leaks.slice(0, 10)}`);
    // saved as it goes: a reload keeps the answers
    await page.reload();
    await page.waitForSelector('#assess-step');
    await page.click('#assess-steps li:first-child button');
    assert(await page.isChecked('#q-network input[value=D]'), 'the answers survive a reload');
    assert((await page.inputValue('input[name="ev-device_digital_rate-devices_total"]')) === '48', 'evidence survives a reload');
    await page.click('#assess-steps li:last-child button');
    await page.waitForSelector('#assess-submit:not([disabled])');
    await page.click('#assess-submit');
    await page.waitForSelector('#scorecard');
    assert((await page.textContent('.page-head')).includes('待核验'), 'submitted: waiting for the center');
    local.justSubmitted = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
  });

  test('scorecard: total, level badge, radar, 16 × 4 grid, next level', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    await ids(server);
    const page = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(page, server, `/assess/${local.verified}`);
    await page.waitForSelector('#scorecard .level-badge');
    const total = Number(await page.textContent('#score-total'));
    const a = (await server.api('GET', `/v1/assessments/${local.verified}`, undefined, server.keys.enterprise)).data;
    assert(total === a.score.total, `the total is the server's (${total} vs ${a.score.total})`);
    assert((await page.textContent('#scorecard .level-badge')).match(/[一二三四]级|未达一级/), 'a Chinese level badge');
    const rows = await page.$$eval('#scene-grid tbody tr[data-scene]', (trs) => trs.map((tr) => ({
      scene: tr.dataset.scene, on: tr.querySelectorAll('td.on').length, star: tr.textContent.includes('★'), cells: tr.querySelectorAll('td').length })));
    assert(rows.length === 16 && rows.every((r) => r.cells === 4), `16 scenes × 4 steps: ${JSON.stringify(rows)}`);
    for (const r of rows) assert(r.on === (a.scenes[r.scene] || 0), `scene ${r.scene}: ${r.on} cells filled, step ${a.scenes[r.scene]}`);
    assert(rows.filter((r) => r.star).length === 10, 'the ten constrained scenes are marked');
    const next = await page.textContent('#next-level');
    assert(/距.级还差/.test(next) && /约束性场景/.test(next), `what the next level needs: ${next}`);
    await page.waitForFunction(() => {
      const c = document.querySelector('#chart-radar canvas');
      if (!c) return false;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < d.length; i += 28) if (d[i] > 0) ink++;
      return ink > 50;
    });
    const leaks = await englishIn(page, '#scorecard, #scene-grid, #assess-history');
    assert(!leaks.length, `no English on the scorecard: ${leaks.slice(0, 10)}`);
    await shot(page, 'scorecard.png', { fullPage: true });
  });

  test('gap list: scenes below 二级 with resources, 生成需求 makes drafts, published', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    await ids(server);
    const page = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(page, server, `/assess/${local.verified}/gaps?target=2`);
    await page.waitForSelector('#gap-summary');
    const scenes = await page.$$eval('#gap-scenes .gap-scene', (els) => els.map((e) => ({ code: e.dataset.scene, res: e.querySelectorAll('.gap-resources li').length, c: !!e.querySelector('.constrained') })));
    assert(scenes.length > 0, 'scenes below the target are listed');
    assert(scenes.every((s) => s.res <= 3) && scenes.some((s) => s.res > 0), `up to three resources a scene: ${JSON.stringify(scenes)}`);
    const firstPlain = scenes.findIndex((s) => !s.c);
    assert(firstPlain < 0 || scenes.slice(firstPlain).every((s) => !s.c), 'constrained scenes first');
    await shot(page, 'gaps.png', { fullPage: true });
    await page.check(`#gap-scenes input[value="${scenes[0].code}"]`);
    await page.fill('#needs-panel input[name=budget]', '80000');
    await page.click('#make-needs');
    await page.waitForSelector('#made-needs .made-need');
    const link = await page.$eval('#made-needs .made-need a', (a) => a.getAttribute('href'));
    const nid = decodeURIComponent(link.split('/')[2]);
    const draft = (await server.api('GET', `/v1/needs/${nid}`, undefined, server.keys.enterprise)).data;
    assert(draft.status === 'draft' && draft.assessment_id === local.verified, `a draft need of the assessment: ${JSON.stringify(draft)}`);
    const hidden = await server.api('GET', `/v1/needs/${nid}`, undefined, server.keys.provider);
    assert(hidden.status === 404, 'a provider does not see the draft');
    // the need page offers to publish it
    await open(page, server, `/needs/${nid}`);
    await page.waitForSelector('#need-draft');
    await page.click('#need-publish');
    await page.waitForFunction(() => !document.querySelector('#need-draft') && document.querySelector('.page-head .badge'));
    const now = (await server.api('GET', `/v1/needs/${nid}`, undefined, server.keys.provider));
    assert(now.status === 200 && now.data.status === 'open', 'published: providers see it');
    shared.gapNeedId = nid;
  });

  test('center: verification queue, review, verify with a scene correction', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    await ids(server);
    const page = await newPage(browser, server, t, { key: server.keys.center });
    await open(page, server, '/verify');
    await page.waitForSelector('#verify-queue tbody tr');
    const n = (await page.$$('#verify-queue tbody tr')).length;
    assert(n >= 3, `the demo's submitted assessments wait in the queue (${n})`);
    await shot(page, 'verify-queue.png');
    await page.click('#verify-queue tbody tr:first-child a.btn');
    await page.waitForSelector('#verify-panel');
    const id = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
    const a = (await server.api('GET', `/v1/assessments/${id}`, undefined, server.keys.center)).data;
    const claimed = a.scenes.quality;
    const to = claimed > 0 ? claimed - 1 : 1;
    await page.click('#verify-panel summary');
    await page.selectOption('#verify-panel select[name=fix-quality]', String(to));
    await page.fill('#verify-panel textarea[name=note]', '现场查看质检记录，质量管理按核定级别计');
    await page.click('#verify-btn');
    await page.waitForFunction(() => !document.querySelector('#verify-panel') && document.querySelector('#assess-history'));
    const hist = await page.textContent('#assess-history');
    assert(hist.includes('已核验') && hist.includes('质量管理') && hist.includes(`自评 ${claimed} 级 → 核定 ${to} 级`), `the history keeps both steps: ${hist}`);
    const leaks = await englishIn(page, '#assess-history');
    assert(!leaks.length, `no English in the history: ${leaks}`);
    const after = (await server.api('GET', `/v1/orgs/${a.org.id}/file`, undefined, server.keys.center)).data;
    assert(after.assessment_id === id, 'the file now carries this verified level');
  });

  test('center: register filters, name search, an enterprise file with history and its edit form', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    await ids(server);
    t.allow.push(/status of 422/); // the mistyped USCC below
    const page = await newPage(browser, server, t, { key: server.keys.center });
    await open(page, server, '/enterprises');
    await page.waitForSelector('#register tbody tr[data-org]');
    const total = await page.textContent('#register-total');
    assert(/共 \d+ 家/.test(total), `a total: ${total}`);
    const rows0 = (await page.$$('#register tbody tr[data-org]')).length;
    await page.selectOption('#register-filters select[name=level]', '2');
    await page.waitForFunction((n) => document.querySelectorAll('#register tbody tr[data-org]').length !== n || /level=2/.test(location.hash), rows0);
    await page.waitForFunction(() => /level=2/.test(location.hash) && !document.querySelector('#register .loading'));
    const lv = await page.$$eval('#register tbody tr[data-org] .level-badge', (els) => els.map((e) => e.textContent));
    assert(lv.length > 0 && lv.every((x) => x === '二级'), `level filter: ${lv}`);
    await page.selectOption('#register-filters select[name=level]', '');
    await page.fill('#register-filters input[name=q]', '鑫达');
    await page.click('#register-filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#register tbody tr[data-org]').length === 1);
    await page.selectOption('#register-filters select[name=province]', '420000');
    await page.waitForFunction(() => !document.querySelector('#register .loading'));
    await page.selectOption('#register-filters select[name=city]', '420100');
    await page.waitForFunction(() => !document.querySelector('#register .loading') && document.querySelector('#register-filters select[name=district] option[value="420112"]'));
    await page.selectOption('#register-filters select[name=district]', '420112');
    await page.waitForFunction(() => /district=420112/.test(location.hash) && document.querySelectorAll('#register tbody tr[data-org]').length === 1);
    await shot(page, 'register.png');
    await page.click('#register tbody tr[data-org] a');
    await page.waitForSelector('#file-card');
    const card = await page.textContent('#file-card');
    assert(card.includes('东西湖区') && /9142011/.test(card), `the file shows its district and USCC: ${card}`);
    assert((await page.$$('.assess-card')).length >= 2, 'the assessment history is listed');
    await shot(page, 'file.png', { fullPage: true });
    // edit: a mistyped USCC is refused naming the field, then a good save
    await page.click('#edit-file');
    await page.waitForSelector('#file-form');
    const good = await page.inputValue('#file-form input[name=uscc]');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    await page.fill('#file-form input[name=uscc]', bad);
    await page.click('#file-save');
    await page.waitForSelector('#file-form .form-error');
    assert(await page.$eval('#file-form input[name=uscc]', (e) => e.classList.contains('invalid')), 'the USCC field is marked');
    assert((await page.textContent('#file-form .form-error')).includes('统一社会信用代码'), 'the error names the field in Chinese');
    await page.fill('#file-form input[name=uscc]', good);
    await page.fill('#file-form input[name=employees]', '91');
    await page.click('#file-save');
    await page.waitForSelector('#file-card');
    assert((await page.textContent('#file-card')).includes('91 人'), 'saved');
    shared.fileOrg = local.org;
  });

  pages.enterprise.push('/assess', '/file', () => local.verified && `/assess/${local.verified}`,
    () => local.verified && `/assess/${local.verified}/gaps`);
  pages.center.push('/verify', '/enterprises', () => local.org && `/enterprises/${local.org}`,
    () => local.org && `/enterprises/${local.org}/edit`, () => local.verified && `/assess/${local.verified}`);
  pages.admin.push('/enterprises');
  pages.provider.push('/verify');
}
