// t_projects.mjs - browser tests of 项目实施 (issue 19): the project page
// as each party sees it (the milestones as a timeline, the sign-off
// button of whoever's turn it is, the before/after scorecards side by
// side, the O&M tickets), and the centers' projects board (by state,
// overdue milestones first).
//
// Run by run.mjs (see its comment on t_*.mjs).  The demo activity
// (scripts/demo_activity.py) leaves projects in every state: the demo
// enterprise's WMS project delivered and waiting for both sign-offs, its
// predictive-maintenance project accepted with a closed ticket, a food
// enterprise's campaign project with its go-live overdue.

const local = {};

async function ids(server) {
  if (local.delivered) return;
  const ent = server.keys.enterprise;
  const mine = (await server.api('GET', '/v1/projects?limit=100', undefined, ent)).data.items;
  local.delivered = (mine.find((p) => p.status === 'delivered') || {}).id;
  local.accepted = (mine.find((p) => p.status === 'accepted' && !p.campaign_id) || {}).id;
  const all = (await server.api('GET', '/v1/projects?sort=due&limit=100', undefined, server.keys.center)).data.items;
  local.overdue = (all.find((p) => p.overdue) || {}).id;
}

export default function register(test, ctx) {
  const { assert, newPage, open, shot, shared, pages, Skip } = ctx;

  test('project page: the enterprise, then the center, sign a delivered project; acceptance waits for a later assessment', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data (projects of the demo enterprise)');
    t.allow.push(/status of 409/);  // the acceptance the server refuses, on purpose
    await ids(server);
    assert(local.delivered && local.accepted, `the demo enterprise should have a delivered and an accepted project: ${JSON.stringify(local)}`);
    shared.projectId = local.accepted;
    const ent = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(ent, server, `/projects/${local.delivered}`);
    await ent.waitForSelector('#milestones li');
    const ms = await ent.$$eval('#milestones li', (ls) => ls.map((l) => [l.dataset.code, l.className, l.textContent]));
    assert(ms.length === 4 && ms.map((m) => m[0]).join() === 'plan,start,go_live,acceptance', `four milestones in order: ${JSON.stringify(ms)}`);
    assert(ms[2][1].includes('done'), 'go-live is done once delivered');
    assert((await ent.textContent('#project-steps .current')).includes('已交付'), 'the steps show where it is');
    assert(await ent.isVisible('#scorecard-before .level-badge'), 'the before scorecard has its verified level');
    assert((await ent.textContent('#scorecard-after')).includes('现场复评'), 'the after scorecard waits for the re-assessment');
    const btn = await ent.textContent('#project-signoff');
    assert(btn.includes('企业签收'), `the enterprise's turn to sign: ${btn}`);
    assert(!(await ent.$('#project-actions [data-to=delivered]')), 'no provider button for the enterprise');
    await shot(ent, 'project-delivered.png', { fullPage: true, until: '#before-after' });
    await ent.click('#project-signoff');
    await ent.waitForFunction(() => (document.querySelector('#signoff-state') || {}).textContent?.includes('企业签收：✓'));
    assert(!(await ent.$('#project-signoff')), 'signed: the button is gone');

    const cen = await newPage(browser, server, t, { key: server.keys.center });
    await open(cen, server, `/projects/${local.delivered}`);
    await cen.waitForSelector('#project-signoff');
    assert((await cen.textContent('#project-signoff')).includes('数促中心签收'), "now the center's turn");
    await cen.click('#project-signoff');
    await cen.waitForFunction(() => (document.querySelector('#signoff-state') || {}).textContent?.includes('数促中心签收：✓'));
    // both signed, but no verified assessment after delivery: the server says what is missing
    await cen.click('#project-actions [data-to=accepted]');
    await cen.waitForSelector('.toast-error');
    const msg = await cen.textContent('.toast-error');
    assert(/还缺.*核验的评估/.test(msg), `acceptance refused, saying what is missing, in Chinese: ${msg}`);
    assert(!/sign|assessment/.test(msg), `no English: ${msg}`);
  });

  test('an accepted project: two scorecards side by side, verified figures, tickets answered', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    await ids(server);
    const ent = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(ent, server, `/projects/${local.accepted}`);
    await ent.waitForSelector('#scorecard-after .level-badge');
    const [b, a] = await ent.$$eval('.scorecards .scorecard', (els) => els.map((e) => e.getBoundingClientRect()));
    assert(Math.abs(b.top - a.top) < 4 && a.left > b.right - 1, `the two scorecards stand side by side: ${JSON.stringify([b, a])}`);
    const uplift = await ent.textContent('#uplift');
    assert(/数字化水平 .+ → .+/.test(uplift), `the verified uplift: ${uplift}`);
    assert((await ent.$$('#figures-table tbody tr')).length >= 1, 'the 数字化成效 figures before and after');
    assert((await ent.$$('#scenes-table tbody tr.up')).length >= 1, 'the scenes that moved');
    await ent.waitForSelector('#tickets .ticket');
    const tk = await ent.textContent('#tickets .ticket');
    assert(tk.includes('已关闭') && tk.includes('首次响应'), `the closed ticket with its response time: ${tk}`);
    await shot(ent, 'project-accepted.png', { fullPage: true, until: '#tickets' });
    // a new ticket, answered by the provider
    await ent.fill('#ticket-form input[name=title]', '看板数据不刷新');
    await ent.click('#ticket-form button[type=submit]');
    await ent.waitForFunction(() => [...document.querySelectorAll('#tickets .ticket')].some((x) => x.textContent.includes('看板数据不刷新')));
    const prov = await newPage(browser, server, t, { key: server.keys.provider });
    await open(prov, server, `/projects/${local.accepted}`);
    await prov.waitForSelector('#tickets .ticket.ticket-open');
    assert(!(await prov.$('#ticket-form')), 'only the enterprise opens tickets');
    await prov.fill('#tickets .ticket-open input[name=text]', '已重启数据采集服务');
    await prov.click('#tickets .ticket-open [data-action=reply]');
    await prov.waitForFunction(() => [...document.querySelectorAll('#tickets .ticket')].some((x) => x.textContent.includes('看板数据不刷新') && x.textContent.includes('已回复')));
    const rev = await prov.$$eval('#project-revisions .revision-reason', (ds) => ds.map((d) => d.textContent));
    assert(rev.includes('企业签收') && rev.includes('数促中心签收'), `the history reads Chinese: ${rev.join(' / ')}`);
  });

  test('projects board: every project by state, overdue milestones first', async (t, browser, server) => {
    if (!server.seeded) throw new Skip('needs the demo data');
    await ids(server);
    const cen = await newPage(browser, server, t, { key: server.keys.center });
    await open(cen, server, '/projects');
    await cen.waitForSelector('#project-board .board-col');
    const cols = await cen.$$eval('#project-board .board-col', (els) => els.map((e) => [e.dataset.status, e.querySelectorAll('.project-card').length]));
    const states = cols.filter(([, n]) => n > 0).map(([s]) => s);
    for (const s of ['contracted', 'implementing', 'delivered', 'accepted', 'disputed', 'cancelled']) {
      assert(states.includes(s), `the demo has a project ${s}: ${JSON.stringify(cols)}`);
    }
    const first = await cen.$eval('#project-board .board-col[data-status=implementing] .project-card', (e) => [e.dataset.id, e.className]);
    assert(first[0] === local.overdue && first[1].includes('overdue'), `the overdue project leads its column: ${first}`);
    assert((await cen.textContent('#board-summary')).includes('逾期'), 'the summary counts overdue projects');
    await shot(cen, 'projects-board.png', { fullPage: true });
    await cen.click(`#project-board .project-card[data-id="${local.overdue}"] a.project-title`);
    await cen.waitForSelector('#milestones li.overdue');
    // the enterprise's own list and the need page's link to its project
    const ent = await newPage(browser, server, t, { key: server.keys.enterprise });
    await open(ent, server, '/projects');
    await ent.waitForSelector('#project-list .project-card');
    const mine = await ent.$$eval('#project-list .project-card', (els) => els.length);
    assert(mine >= 3, `the demo enterprise sees its projects (${mine})`);
    assert(!(await ent.$('#project-board')), 'no board for an enterprise');
  });

  pages.enterprise.push('/projects', (s) => s.projectId && `/projects/${s.projectId}`, '/cases');
  pages.provider.push('/projects', (s) => s.projectId && `/projects/${s.projectId}`);
  pages.center.push('/projects', (s) => s.projectId && `/projects/${s.projectId}`, '/cases');
  pages.admin.push('/projects');
}
