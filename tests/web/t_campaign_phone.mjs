// t_campaign_phone.mjs - a campaign's page (issue 21): the provider confirms
// the tier prices of a draft before the center can open it; the page tells
// one price story (the tier in force, the next tier, in the tiers card, the
// summary and the side panel alike); destructive actions are red; and the
// page fits a 390 px phone with no horizontal scrolling, for the center,
// the provider and an enterprise.

import { person, loginPassword, englishOnPage } from './people.mjs';

const PHONE = { width: 390, height: 844 };

export default function register(test, ctx) {
  const { assert, newPage, open, shot, shared } = ctx;

  async function campaignByStatus(server, status) {
    const r = await server.api('GET', `/v1/campaigns?status=${status}&limit=100`, undefined, server.keys.center);
    return (r.data.items || []);
  }

  async function noSideScroll(page, what) {
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(over <= 1, `${what}: ${over}px of horizontal scrolling at 390 px`);
  }

  test('the provider confirms the prices before the center opens a campaign', async (t, browser, server) => {
    // a draft of the demo center on one of the demo provider's resources
    const provId = (await server.api('GET', '/v1/me', undefined, server.keys.provider)).data.org.id;
    const res = (await server.api('GET', `/v1/resources?limit=50&provider=${provId}`)).data.items.filter((x) => x.status === 'published')[0];
    const made = await server.api('POST', '/v1/campaigns', {
      title: '价格确认浏览器测试集采', resource_id: res.id, industry: 'machinery', scenarios: ['quality', 'production_control'],
      tiers: [{ min_participants: 2, unit_price: 90000 }, { min_participants: 4, unit_price: 80000 }],
      min_participants: 2, deadline: '2099-12-31',
    }, server.keys.center);
    assert(made.status === 201, `create: ${made.status}`);
    const cid = made.data.id;
    const cen = await newPage(browser, server, t);
    await loginPassword(cen, server, await person(server, 'center'), ctx);
    await open(cen, server, `/campaigns/${cid}`);
    await cen.waitForSelector('#campaign-actions [data-to=open][disabled]');
    assert((await cen.textContent('#awaiting-confirmation')).includes('等待服务商确认'), 'the center is told why');
    const cancelCls = await cen.getAttribute('#campaign-actions [data-to=cancelled]', 'class');
    assert(cancelCls.includes('btn-danger'), `取消活动 is red: ${cancelCls}`);
    const prov = await newPage(browser, server, t);
    await loginPassword(prov, server, await person(server, 'provider'), ctx);
    await open(prov, server, `/campaigns/${cid}`);
    await prov.waitForSelector('#campaign-confirm');
    await shot(prov, 'campaign-confirm.png');
    await prov.click('#campaign-confirm');
    await prov.waitForFunction(() => {
      const p = document.querySelector('#price-confirmation');
      return p && p.textContent.includes('服务商已确认');
    });
    await open(cen, server, `/campaigns/${cid}`);
    await cen.waitForSelector('#campaign-actions [data-to=open]:not([disabled])');
    await cen.click('#campaign-actions [data-to=open]');
    await cen.waitForSelector('.badge.cstatus-open');
    // one price story: below the first tier nothing is "current"
    const summary = await cen.textContent('#tier-summary');
    const aside = await cen.textContent('#aside-price');
    assert(!(await cen.$('.tier-current')), 'no tier in force with no participant');
    assert(summary.includes('再有 2 家参加，单价为 9 万元') && aside.includes('未达到首档'), `summary "${summary}" / aside "${aside}"`);
    assert(!(await englishOnPage(cen)).length, `English on the campaign page: ${await englishOnPage(cen)}`);
    shared.confirmedCampaign = cid;
  });

  test('a campaign page fits a 390 px phone: center, provider, enterprise', async (t, browser, server) => {
    const ids = [];
    for (const st of ['implementing', 'open', 'completed']) {
      const c = (await campaignByStatus(server, st))[0];
      if (c) ids.push(c.id);
    }
    if (shared.campaignId) ids.push(shared.campaignId);
    assert(ids.length, 'some campaign to look at');
    for (const role of ['center', 'provider', 'enterprise']) {
      const page = await newPage(browser, server, t, { viewport: PHONE });
      await loginPassword(page, server, await person(server, role), ctx);
      for (const id of ids) {
        await open(page, server, `/campaigns/${id}`);
        await page.waitForSelector('#tiers');
        await page.waitForFunction(() => !document.querySelector('#view .loading'));
        await noSideScroll(page, `${role} /campaigns/${id}`);
        // the current price is the same wherever it is shown
        const tierNow = await page.$('.tier-current .tier-price');
        if (tierNow) {
          const price = (await tierNow.textContent()).trim();
          assert((await page.textContent('#aside-price')).includes(price), `${role}: the side panel says ${price} too`);
          assert((await page.textContent('#tier-summary')).includes(price), `${role}: the summary says ${price} too`);
        }
      }
      if (role === 'center') {
        await open(page, server, `/campaigns/${ids[0]}`);
        await page.waitForSelector('#tiers');
        await shot(page, 'campaign-mobile.png', { fullPage: true });
      }
      await open(page, server, '/campaigns');
      await page.waitForSelector('#campaign-list .campaign-card, #campaign-list .empty');
      await noSideScroll(page, `${role} /campaigns`);
    }
  });
}
