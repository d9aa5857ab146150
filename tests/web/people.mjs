// people.mjs - helpers for the browser tests of issue 21 (t_users.mjs,
// t_inbox.mjs, t_errors.mjs, t_campaign_phone.mjs): a person of a role
// (the demo users `shucud seed` printed, or one made through the API when
// there is no demo data), logging in with a password through the login
// form, and the check that no English sentence is on the page.

export const LATIN_SENTENCE = /[A-Za-z]{2,}[,.;:]?(\s+[A-Za-z]{2,}[,.;:]?){2,}/;

const made = {};

// {login, password, org} of a person of role.
export async function person(server, role, index = 0) {
  const demo = server.users && server.users[role] && server.users[role][index];
  if (demo) return demo;
  const k = `${role}:${index}`;
  if (made[k]) return made[k];
  const me = await server.api('GET', '/v1/me', undefined, server.keys[role]);
  const login = `web-${role}-${index}-${Date.now() % 100000}@example.cn`;
  const password = `Web-test-${index}-2026`;
  const r = await server.api('POST', `/v1/orgs/${me.data.org.id}/users`,
    { name: `测试${role}${index}`, email: login, password, role }, server.keys.admin);
  if (r.status !== 201) throw new Error(`cannot make a ${role} user: ${r.status} ${JSON.stringify(r.data)}`);
  made[k] = { login, password, org: me.data.org.name };
  return made[k];
}

// Logs in through the password form and waits for the console to know it.
export async function loginPassword(page, server, who, { open }) {
  await open(page, server, '/login');
  await page.fill('#password-form [name=login]', who.login);
  await page.fill('#password-form [name=password]', who.password);
  await page.click('#password-submit');
  await page.waitForSelector('#logout');
}

// Every English sentence in the console's own text: the page (#view), the
// header and the toasts; values typed into inputs are not text nodes.
export async function englishOnPage(page) {
  const texts = await page.evaluate(() => {
    const out = [];
    for (const root of [document.getElementById('view'), document.querySelector('.topbar'), document.getElementById('toasts')]) {
      if (!root) continue;
      const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest('script,style,option') || !el.getClientRects().length) continue;
        const t = n.data.trim();
        if (t) out.push(t);
      }
    }
    return out;
  });
  return texts.filter((t) => LATIN_SENTENCE.test(t));
}
