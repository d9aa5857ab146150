// t_reports.mjs - 跟踪监测 in the console (issue 20): an authority (经信局 of
// 武汉市) logs in with a key and lands on 监测, which shows its region only,
// draws the district bars, the level ring and the monthly trend, fills the
// tables, narrows by district, exports a table as CSV (UTF-8 with a BOM)
// and as Excel (a zip), and opens the monthly report on A4 with the print
// stylesheet hiding the console.  A center sees every region.

export default function register(test, { assert, newPage, open, shot }) {
  test('an authority monitors its region, exports and prints the monthly report', async (t, browser, server) => {
    const key = server.shucud(['keys', 'create', '--db', server.db, '--role', 'authority',
      '--org', '武汉市经济和信息化局', '--region', '湖北省/武汉市']).trim().split('\n').pop();
    const page = await newPage(browser, server, t, { key });
    await open(page, server, '/monitor');
    await page.waitForSelector('#table-district');
    const sub = await page.textContent('.page-head');
    assert(sub.includes('武汉市'), `the page names the region: ${sub}`);
    assert((await page.textContent('#nav')).includes('跟踪监测'), 'the nav has 跟踪监测');
    // only districts of 武汉 (codes 4201xx) in the table
    const names = await page.$$eval('#table-district tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    assert(names.length >= 1 && names[names.length - 1] === '合计', `rows: ${names}`);
    const api = await page.evaluate(async (k) => (await (await fetch('/v1/reports/levels?by=district', { headers: { Authorization: `Bearer ${k}` } })).json()).rows.map((r) => r.key), key);
    assert(api.every((c) => c === 'total' || c.startsWith('4201')), `outside 武汉: ${api}`);
    // the charts are drawn (when ECharts is installed)
    const drawn = await page.evaluate(() => !!window.echarts && !!document.querySelector('#chart-district canvas'));
    if (await page.evaluate(() => !!window.echarts)) assert(drawn, 'the district chart is drawn');
    for (const id of ['#table-industry', '#table-movement', '#kpi-share']) assert(await page.$(id), `${id} is shown`);
    await shot(page, 'monitor.png', { fullPage: true });
    // exports: the CSV starts with the BOM, the Excel file is a zip
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="levels-district.csv"]')]);
    const csvBytes = await streamBytes(await csv.createReadStream());
    assert(csvBytes[0] === 0xef && csvBytes[1] === 0xbb && csvBytes[2] === 0xbf, 'the CSV starts with the UTF-8 BOM');
    assert(Buffer.from(csvBytes).toString('utf8').includes('建档企业'), 'the CSV has the Chinese header');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="levels-district.xlsx"]')]);
    const xb = await streamBytes(await xlsx.createReadStream());
    assert(xb[0] === 0x50 && xb[1] === 0x4b, 'the Excel file is a zip (PK)');
    // a district filter narrows the tables
    const options = await page.$$eval('#f-district option', (os) => os.map((o) => o.value).filter(Boolean));
    assert(options.length > 3, `districts of 武汉 to choose from: ${options.length}`);
    await page.selectOption('#f-district', '江岸区');
    await page.waitForFunction(() => location.hash.includes('district='));
    await page.waitForSelector('#table-district');
    // the monthly report: one click, A4 print styles
    await page.click('#print-report');
    await page.waitForSelector('#monthly-report h1');
    const title = await page.textContent('#monthly-report h1');
    assert(title.includes('月报'), `report title: ${title}`);
    await page.emulateMedia({ media: 'print' });
    const navShown = await page.evaluate(() => getComputedStyle(document.querySelector('#nav')).display);
    assert(navShown === 'none', `the nav is hidden when printing: ${navShown}`);
    const buttonShown = await page.evaluate(() => getComputedStyle(document.querySelector('.report-actions')).display);
    assert(buttonShown === 'none', 'the print button is not printed');
    const pdf = await page.pdf({ format: 'A4' });
    assert(pdf.length > 1000, 'the report prints to A4');
    await page.emulateMedia({ media: 'screen' });
    await shot(page, 'monitor-print.png', { fullPage: true });
  });

  test('a center monitors every region', async (t, browser, server) => {
    const page = await newPage(browser, server, t, { key: server.keys.center });
    await open(page, server, '/monitor');
    await page.waitForSelector('#table-district');
    const sub = await page.textContent('.page-head');
    assert(!sub.includes('管辖地区'), 'a center has no region');
    const rows = await page.$$eval('#table-district tbody tr', (trs) => trs.length);
    assert(rows >= 2, `rows: ${rows}`);
    // projects (issue 19) by status, with their export buttons
    const heads = await page.$$eval('.report-section h3', (hs) => hs.map((x) => x.textContent));
    assert(heads.includes('项目实施'), `sections: ${heads}`);
    assert(await page.$('[data-export="projects.xlsx"]'), 'the projects table exports to Excel');
  });
}

async function streamBytes(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}
