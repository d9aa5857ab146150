// lib.mjs - the harness of the console's browser tests: a shucud of their
// own (free port, fresh database in a temp dir, demo data or a few
// resources posted through the API), Debian's chromium through
// playwright-core, and a tiny runner that prints one line per test and the
// totals "N passed, N failed" last.
//
// Every test gets a fresh browser context (empty localStorage) and fails if
// the page logs a console error or throws, except the failed loads a test
// declares it expects (t.allow).

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Screenshots go to build/screenshots/ (git-ignored) unless asked for
// elsewhere: SHUCU_SCREENSHOTS=docs writes the tracked docs/screenshots/
// shown in the README (make screenshots), any other value is a directory.
function shotsDir(v) {
  if (!v) return path.join(REPO, 'build', 'screenshots');
  if (v === 'docs') return path.join(REPO, 'docs', 'screenshots');
  return path.resolve(REPO, v);
}
export const SHOTS = shotsDir(process.env.SHUCU_SCREENSHOTS);
// The size of the pictures: a laptop screen; a long page is shot whole, down
// to SHOT_MAX_HEIGHT.
export const SHOT_VIEWPORT = { width: 1280, height: 800 };
const SHOT_MAX_HEIGHT = 2400;
const SHUCUD = path.resolve(REPO, process.env.SHUCUD || 'build/shucud');

export class Skip extends Error {}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Server {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shucu-web-'));
    this.db = path.join(this.dir, 'shucu.db');
    this.keys = {};       // role -> key (the demo key of that role)
    this.orgs = {};       // role -> organisation name
    this.users = {};      // role -> [{login, password, org}] (the demo users, issue 21)
    this.proc = null;
    this.log = path.join(this.dir, 'server.log');
  }

  shucud(args) {
    return execFileSync(SHUCUD, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  createKey(role, org) {
    const key = this.shucud(['keys', 'create', '--db', this.db, '--role', role, '--org', org]).trim();
    return key;
  }

  async start() {
    const demo = path.resolve(REPO, process.env.SHUCU_DEMO_DIR || 'data/demo');
    this.seeded = fs.existsSync(path.join(demo, 'orgs.ndjson')) && fs.existsSync(path.join(demo, 'resources.ndjson'));
    if (this.seeded) {
      const out = this.shucud(['seed', '--db', this.db, '--dir', demo]);
      this.seedOut = path.join(this.dir, 'demo-keys.txt');
      fs.writeFileSync(this.seedOut, out);
      for (const line of out.split('\n')) {
        const m = line.match(/^(\w+)\s+(shk_\S+)\s+(.+)$/);
        if (m) { this.keys[m[1]] = m[2]; this.orgs[m[1]] = m[3].trim(); }
        const u = line.match(/^user\s+(\w+)\s+(\S+)\s+(\S+)\s+(.+)$/);
        if (u) (this.users[u[1]] = this.users[u[1]] || []).push({ login: u[2], password: u[3], org: u[4].trim() });
      }
    }
    const names = { admin: '数促平台运维', center: '测试市数促中心', provider: '测试智造科技有限公司', enterprise: '测试精密机械有限公司' };
    for (const role of ['admin', 'center', 'provider', 'enterprise']) {
      if (!this.keys[role]) { this.keys[role] = this.createKey(role, names[role]); this.orgs[role] = names[role]; }
    }
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    const log = fs.openSync(this.log, 'a');
    this.proc = spawn(SHUCUD, ['serve', '--db', this.db, '--listen', `127.0.0.1:${this.port}`, '--redis', 'none',
      '--web', path.join(REPO, 'clients', 'web'), '--workers', '2'], { cwd: REPO, stdio: ['ignore', log, log] });
    this.exited = null;
    this.proc.on('exit', (code, sig) => { this.exited = { code, sig }; });
    for (let i = 0; i < 100; i++) {
      if (this.exited) throw new Error(`shucud exited at start (${JSON.stringify(this.exited)}): ${fs.readFileSync(this.log, 'utf8').slice(-2000)}`);
      try {
        const r = await fetch(`${this.base}/healthz`);
        if (r.ok) break;
      } catch { /* not yet */ }
      await sleep(100);
    }
    if (!this.seeded) await this.postFallbackResources();
    // what `make run` shows on first start: the demo's weeks of activity
    else if (fs.existsSync(path.join(REPO, 'scripts', 'demo_activity.py'))) {
      execFileSync('/usr/bin/python3', [path.join(REPO, 'scripts', 'demo_activity.py'), '--url', this.base,
        '--keys', this.seedOut, '--orgs', path.join(demo, 'orgs.ndjson')], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    }
  }

  async api(method, p, body, key) {
    const headers = { Accept: 'application/json' };
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    return { status: r.status, data };
  }

  // Without data/demo: a few resources through the API so search and
  // matching have something to find.
  async postFallbackResources() {
    const key = this.keys.provider;
    const docs = [
      { kind: 'product', title: 'AI视觉质检工作站', summary: '机器视觉质检，替代人工目检，识别划伤、缺料、飞边。', industries: ['machinery', 'automotive'], scenarios: ['quality'], regions: ['湖北省'], price: { min: 80000, max: 200000, unit: '台' }, levels: { from: 1, to: 3 }, delivery: 'on_premise', deploy_days: 20, tags: ['质检', '视觉'] },
      { kind: 'product', title: 'QMS质量管理系统', summary: '来料检验、过程巡检、成品质检与SPC。', industries: ['general'], scenarios: ['quality'], price: { min: 60000, max: 200000, unit: '套' }, levels: { from: 1, to: 2 }, delivery: 'saas', deploy_days: 30 },
      { kind: 'solution', title: '离散制造MES整体解决方案', summary: '工单、报工、质检、追溯与车间看板。', industries: ['machinery'], scenarios: ['production_control', 'quality', 'planning'], regions: ['全国'], price: { min: 280000, max: 1200000, unit: '套' }, levels: { from: 2, to: 3 }, delivery: 'hybrid' },
      { kind: 'service', title: '纺织印染能耗诊断服务', summary: '分项计量与节能诊断。', industries: ['textile'], scenarios: ['energy'], price: { min: 20000, max: 50000, unit: '次' } },
      { kind: 'model', title: '钢材表面缺陷检测模型', summary: '钢板表面缺陷质检模型。', industries: ['steel'], scenarios: ['quality'], license: '商用授权' },
    ];
    for (const d of docs) {
      const r = await this.api('POST', '/v1/resources', d, key);
      if (r.status !== 201) throw new Error(`POST /v1/resources: ${r.status} ${JSON.stringify(r.data)}`);
    }
  }

  // Does this route exist yet?  ("no such path" 404s mean it does not.)
  async hasRoute(method, p, key) {
    const r = await this.api(method, p, method === 'GET' ? undefined : {}, key);
    return !(r.status === 404 && r.data && r.data.error && /^no such path/.test(r.data.error.message || ''));
  }

  async stop() {
    if (this.exited) { /* it died while the tests ran: say how */
      console.log(`shucud exited during the tests (${JSON.stringify(this.exited)}); the end of its log:`);
      console.log(fs.readFileSync(this.log, 'utf8').slice(-4000));
    }
    if (this.proc && !this.exited) {
      this.proc.kill('SIGTERM');
      for (let i = 0; i < 50 && !this.exited; i++) await sleep(100);
      if (!this.exited) this.proc.kill('SIGKILL');
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--lang=zh-CN'],
    // The browser's own widgets (date inputs, the file picker button) in
    // Chinese, as a user in China sees them: chromium on Linux takes its UI
    // language from LANGUAGE (the strings come from Debian's chromium-l10n).
    env: { ...process.env, LANGUAGE: 'zh_CN' },
  });
}

// A fresh context and page; console errors and page errors are collected.
export async function newPage(browser, server, t, { key, viewport } = {}) {
  const context = await browser.newContext({ viewport: viewport || SHOT_VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('dialog', (d) => d.accept());
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = `${m.text()} ${m.location().url || ''}`;
    if ((t.allow || []).some((re) => re.test(text))) return;
    t.errors.push(`console: ${text}`);
  });
  page.on('pageerror', (e) => t.errors.push(`page error: ${e.message}`));
  if (key) {
    await context.addInitScript((k) => {
      if (!sessionStorage.getItem('test.keySet')) {
        localStorage.setItem('shucu.apiKey', k);
        sessionStorage.setItem('test.keySet', '1');
      }
    }, key);
  }
  t.contexts.push(context);
  return page;
}

// Opens #route and waits until the console has drawn it.
export async function open(page, server, route) {
  const url = `${server.base}/#${route}`;
  // goto to the URL the page is already at changes nothing: reload then.
  if (decodeURI(page.url()) === decodeURI(url)) await page.reload();
  else await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');
}

// Text the page should never show: what the DOM makes of a null, an
// undefined or an object appended as a child.  Returns the offending texts.
export async function strayText(page) {
  return page.evaluate(() => {
    const bad = [];
    const walk = document.createTreeWalker(document.getElementById('view'), NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const t = n.data.trim();
      if (/^(null|undefined|false|NaN)$/.test(t) || t.includes('[object Object]')) bad.push(t);
    }
    return bad;
  });
}

// A screenshot of what the page shows now, once nothing is loading any
// more and no error is on screen (a picture of an error box or a spinner is
// a failure, not documentation).  fullPage: the whole page, cut at
// SHOT_MAX_HEIGHT, or (until: a selector) just below that element if any.  Toasts
// are removed, the pointer moved away and the page scrolled to the top.
export async function shot(page, name, { fullPage = false, until = null } = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.waitForFunction(() => !document.querySelector('#view .loading'), null, { timeout: 15000 });
  const bad = await page.$('#view .alert-error');
  if (bad) throw new Error(`${name}: the page shows an error: ${await bad.textContent()}`);
  const stray = await strayText(page);
  if (stray.length) throw new Error(`${name}: the page shows stray text: ${stray.join(', ')}`);
  await page.mouse.move(0, 0);
  await page.evaluate(async () => {
    document.querySelectorAll('.toast').forEach((x) => x.remove());
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    window.scrollTo(0, 0);
    await document.fonts.ready;
  });
  await page.waitForTimeout(200);
  const vp = page.viewportSize();
  const opts = { path: path.join(SHOTS, name) };
  if (fullPage || until) {
    let height = await page.evaluate(() => document.documentElement.scrollHeight);
    // No such element (fewer matches without the demo data): the whole page.
    const end = until && await page.$(until);
    if (end) height = await end.evaluate((el) => Math.ceil(el.getBoundingClientRect().bottom + window.scrollY + 20));
    opts.fullPage = true;
    opts.clip = { x: 0, y: 0, width: vp.width, height: Math.min(Math.max(height, vp.height), SHOT_MAX_HEIGHT) };
  }
  await page.screenshot(opts);
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export async function run(tests, server, filter) {
  let passed = 0;
  let failed = 0;
  const browser = await launch();
  try {
    for (const test of tests) {
      if (filter && !test.name.includes(filter)) continue;
      const t = { errors: [], contexts: [], allow: [], notes: [] };
      const t0 = Date.now();
      try {
        await test.fn(t, browser, server);
        if (server.exited) {
          let log = '';
          try { log = fs.readFileSync(server.log, 'utf8').slice(-3000); } catch { /* gone */ }
          throw new Error(`shucud died: ${JSON.stringify(server.exited)}\n${log}`);
        }
        if (t.errors.length) throw new Error(t.errors.join('\n    '));
        passed++;
        console.log(`ok    ${test.name} (${Date.now() - t0} ms)${t.notes.length ? ' — ' + t.notes.join('; ') : ''}`);
      } catch (err) {
        if (err instanceof Skip) {
          console.log(`skip  ${test.name}: ${err.message}`);
        } else {
          failed++;
          console.log(`FAIL  ${test.name}: ${err.message}`);
          if (t.errors.length && !err.message.includes(t.errors[0])) console.log(`    ${t.errors.join('\n    ')}`);
        }
      } finally {
        for (const c of t.contexts) await c.close().catch(() => {});
      }
    }
  } finally {
    await browser.close().catch(() => {});
  }
  return { passed, failed };
}
