// t_cases.mjs - browser tests of the case library (优秀案例, issue 19): a
// Chinese search over the cases, a case's page, the resource page with
// its verified outcomes and cases, cases as a kind in the resource pool's
// search, and a center exporting a 案例集 as a printable page and a PDF.
//
// Run by run.mjs (see its comment on t_*.mjs).  The demo activity
// publishes three cases, one of them hiding its enterprise's name.

import fs from 'node:fs';

export default function register(test, ctx) {
  const { assert, newPage, open, shot, shared, pages, Skip } = ctx;

  test('case library: a Chinese search finds the case; its page shows facts, figures and the quote', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data (published cases)');
    const page = await newPage(browser, server, t);
    await open(page, server, '/cases');
    await page.waitForSelector('#case-list .case-card');
    const total = Number(await page.textContent('#cases-total'));
    assert(total >= 3, `the demo publishes three cases (${total})`);
    const all = await page.textContent('#case-list');
    assert(all.includes('湖北省某机械企业'), 'a hidden enterprise shows as a description');
    await shot(page, 'cases.png', { fullPage: true });
    await page.fill('#cases-q', '排产');
    await page.waitForFunction(() => /q=%E6%8E%92%E4%BA%A7/.test(location.hash) && document.querySelector('#cases-total') && Number(document.querySelector('#cases-total').textContent) === 2);
    const titles = await page.$$eval('#case-list .case-title', (as) => as.map((a) => a.textContent));
    assert(titles.length === 2 && titles.every((x) => x.includes('排产')), `排产 finds the two scheduling cases: ${titles}`);
    await page.fill('#cases-q', '预测性维护');
    await page.waitForFunction(() => Number((document.querySelector('#cases-total') || {}).textContent) === 1);
    await page.click('#case-list .case-title');
    await page.waitForSelector('#case-quote');
    shared.caseId = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
    const facts = await page.textContent('.case-facts');
    assert(/一级 → 二级|→/.test(facts) && facts.includes('天') && facts.includes('万元'), `levels, duration and cost: ${facts}`);
    assert((await page.$$('#case-figures tbody tr')).length >= 1, 'verified figures before and after');
    await shot(page, 'case.png', { fullPage: true });
  });

  test('resource page: verified outcomes and the cases that used it', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    const page = await newPage(browser, server, t);
    await open(page, server, `/cases/${shared.caseId}`);
    await page.click('#case-resource');
    await page.waitForSelector('#resource-outcomes');
    const o = await page.textContent('#resource-outcomes');
    assert(/验收项目\s*1 个/.test(o) && o.includes('按期上线') && o.includes('服务商整体'), `outcomes of the resource and its provider: ${o}`);
    const links = await page.$$eval('#resource-cases a', (as) => as.map((a) => a.getAttribute('href')));
    assert(links.includes(`#/cases/${shared.caseId}`), `the resource links its case: ${links}`);
    await shot(page, 'resource-outcomes.png', { fullPage: true, until: '#resource-cases' });
  });

  test('search: cases are a kind of the pool, counted in the facets', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    const page = await newPage(browser, server, t);
    await open(page, server, '/search?q=排产');
    await page.waitForSelector('#hits .hit');
    const n = Number(await page.$eval('label.facet[data-code=case] .facet-count', (e) => e.textContent || 0));
    assert(n >= 2, `facets.kind.case counts the cases (${n})`);
    await page.check('input[data-facet="kind"][value="case"]');
    await page.waitForFunction(() => location.hash.includes('kind=case') && !document.querySelector('#hits.stale') && document.querySelector('#hits .hit'));
    const hrefs = await page.$$eval('#hits .hit a.hit-title', (as) => as.map((a) => a.getAttribute('href')));
    assert(hrefs.length === n && hrefs.every((h) => h.startsWith('#/cases/')), `the hits are the cases: ${hrefs}`);
    assert((await page.$$('#hits mark')).length > 0, 'highlighted');
  });

  test('a center exports a 案例集: a printable page and a real PDF', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    const page = await newPage(browser, server, t, { key: server.keys.center });
    await open(page, server, '/cases');
    await page.waitForSelector('#case-list .case-pick');
    const picks = await page.$$('#case-list .case-pick');
    await picks[0].check();
    await picks[1].check();
    await page.fill('#export-title', '2026年武汉市优秀案例集');
    const [popup] = await Promise.all([
      page.context().waitForEvent('page'),
      page.click('#export-html'),
    ]);
    await popup.waitForLoadState();
    const html = await popup.content();
    assert(html.includes('2026年武汉市优秀案例集') && html.includes('目录'), 'the printable page: title and contents');
    assert((html.match(/<section class="case"/g) || []).length === 2, 'the two cases chosen');
    await popup.close();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60000 }),
      page.click('#export-pdf'),
    ]);
    const file = await download.path();
    const bytes = fs.readFileSync(file);
    assert(bytes.subarray(0, 5).toString() === '%PDF-', 'a PDF file');
    const pagesIn = (bytes.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;
    assert(pagesIn >= 3, `cover, contents and the cases (${pagesIn} pages)`);
    t.notes.push(`PDF ${bytes.length} bytes, ${pagesIn} pages`);
    // the export is for centers: an enterprise sees no export buttons
    const ent = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(ent, server, '/cases');
    await ent.waitForSelector('#case-list .case-card');
    assert(!(await ent.$('#export-pdf')) && !(await ent.$('.case-pick')), 'no export for an enterprise');
  });

  pages.anonymous.push('/cases', (s) => s.caseId && `/cases/${s.caseId}`);
  pages.provider.push((s) => s.caseId && `/cases/${s.caseId}`);
}
