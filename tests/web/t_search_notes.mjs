// t_search_notes.mjs - what the search page says about what it did with
// the words typed (issue 22): 您是不是要找 for an input-method slip, and a
// note for a query of stopwords alone.  Needs the demo pool (排产 is in it).

export default function register(test, { assert, newPage, open, Skip }) {
  test('search 排厂软件: 您是不是要找 排产, and the suggestion searches it', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo pool');
    const page = await newPage(browser, server, t);
    await open(page, server, '/search?q=排厂软件');
    await page.waitForSelector('#search-didyoumean');
    const text = await page.textContent('#search-didyoumean');
    assert(text.includes('您是不是要找') && text.includes('排产'), `did-you-mean reads "${text}"`);
    assert(Number(await page.textContent('#search-total')) > 0, 'the corrected search finds something');
    await page.click('#search-corrected');
    await page.waitForFunction(() => document.querySelector('#search-q').value === '排产软件' && !document.querySelector('#search-didyoumean'));
  });

  test('search 的: no hits, and a note instead of every row', async (t, browser, server) => {
    const page = await newPage(browser, server, t);
    await open(page, server, '/search?q=的');
    await page.waitForSelector('#search-stopwords');
    assert(Number(await page.textContent('#search-total')) === 0, 'a stopword alone finds nothing');
  });
}
