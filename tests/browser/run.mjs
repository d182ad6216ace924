#!/usr/bin/env node
// securebase in a real browser: every page of the preview and production
// editions checked for accessibility (axe-core, WCAG 2.2 A/AA), HTML validity
// (html-validate), privacy (no request leaves 127.0.0.1), the
// Content-Security-Policy, page weight, keyboard use, dark mode, print, pages
// without JavaScript, live reload in `serve`, screenshots and Lighthouse.
//
//   cd tests/browser && npm ci && node run.mjs
//
// Environment: SECUREBASE_BIN (default target/release/securebase, relative to
// the repository root), CHROME_PATH (default /usr/bin/chromium),
// SKIP_LIGHTHOUSE=1, KEEP_TMP=1 (keep the built sites), SCREENSHOTS=0.
// Exit code 0 when every check passed, 1 otherwise.

import { spawn, execFileSync } from 'node:child_process';
import { createServer, get as httpGet } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { HtmlValidate } from 'html-validate';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const BIN = resolve(REPO, process.env.SECUREBASE_BIN || 'target/release/securebase');
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
const CHROME_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = join(REPO, 'target', 'screenshots');
const LIGHTHOUSE_REPORT = join(HERE, 'lighthouse-report.json');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const MAX_PAGE_BYTES = 100 * 1024;
const RELOAD_BUDGET_MS = 2000;
const LIGHTHOUSE_MIN = 95;
const LIGHTHOUSE_RUNS = 3;

// html-validate: the recommended preset less purely stylistic or typographic
// rules; tests/browser/README.md says why each one is off.
const HTML_VALIDATE_CONFIG = {
  extends: ['html-validate:recommended'],
  rules: {
    'doctype-style': 'off',
    'no-trailing-whitespace': 'off',
    'tel-non-breaking': 'off',
    'valid-id': ['error', { relaxed: true }],
  },
};

// ---------------------------------------------------------------- results

let passed = 0;
let failed = 0;
const failures = [];
const stats = {
  requests: 0, serverRequests: 0, foreignRequests: 0, axeViolations: 0,
  axeDarkViolations: 0, axePhoneViolations: 0, axeIncomplete: 0, htmlErrors: 0, htmlWarnings: 0, consoleErrors: 0,
  failedRequests: 0, cspViolations: 0, inlineScripts: 0, overweight: 0, maxPageBytes: 0,
  maxPageBytesPath: '', focusStops: 0, linksChecked: 0, axeRules: 0,
};

function check(name, ok, detail = '') {
  if (ok) { passed++; return true; }
  failed++;
  const line = `${name}${detail ? `: ${detail}` : ''}`;
  failures.push(line);
  console.log(`  FAIL ${line}`);
  return false;
}

const T0 = Date.now();
// Runs one part of the suite; an exception fails that part, not the rest.
async function part(name, fn, fallback) {
  try {
    return await fn();
  } catch (e) {
    check(`${name} ran to the end`, false, clip(e && e.stack ? e.stack : String(e), 800));
    return fallback;
  }
}

function step(title) { console.log(`\n== ${title} (${((Date.now() - T0) / 1000).toFixed(0)} s)`); }
function kb(n) { return `${(n / 1024).toFixed(1)} KB`; }
function clip(s, n = 300) { s = String(s); return s.length > n ? `${s.slice(0, n)}…` : s; }
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
// The promise's value, or null if it fails or takes longer than ms.
function within(promise, ms) {
  let timer;
  return Promise.race([promise.catch(() => null), new Promise((r) => { timer = setTimeout(() => r(null), ms); })])
    .finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- building

function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${e.status}):\n${e.stdout || ''}${e.stderr || ''}`);
  }
}

const RILEY = `name: Riley Example (fictional)
credentials:
  - abbreviation: LCSW
    meaning: Licensed Clinical Social Worker
roles: [clinical_reviewer]
email: riley@example.invalid
bio: A fictional clinician who exists only in the browser tests.
licence:
  type: LCSW
  jurisdiction: Nowhere State (fictional)
  expires: 2099-12-31
`;
const EDITOR = `name: Alex Editor (fictional)
roles: [editor]
email: alex@example.invalid
bio: A fictional editor who exists only in the browser tests.
`;
const APPROVE = ['styles/avoidant', 'styles/secure', 'therapies/cbt', 'guides/understanding-attachment'];
const WRITER = ['-c', 'user.name=Sam Writer (fictional)', '-c', 'user.email=writer@example.invalid'];
const REVIEWER = ['-c', 'user.email=riley@example.invalid', '-c', 'user.name=Riley Example (fictional)'];

function copySite(dest) {
  mkdirSync(dest, { recursive: true });
  for (const name of ['site.toml', 'content', 'themes', 'templates', 'static']) {
    const from = join(REPO, name);
    if (existsSync(from)) cpSync(from, join(dest, name), { recursive: true });
  }
}

function buildAll(tmp) {
  const editions = [];
  const preview = join(tmp, 'out-preview');
  run(BIN, ['preview', '--quiet', '--root', REPO, '--out', preview]);
  editions.push({ name: 'preview', dir: preview, what: 'the shipped site, preview edition' });

  // Production: a scratch git repository with a fictional editor and
  // reviewer, whose keys ssh-keygen makes outside it, and a trust root.
  const scratch = join(tmp, 'scratch');
  copySite(scratch);
  const keys = join(tmp, 'keys');
  mkdirSync(keys, { recursive: true });
  const key = (who) => {
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${who} (fictional)`, '-f', join(keys, who)]);
    return readFileSync(join(keys, `${who}.pub`), 'utf8').trim();
  };
  const [editorKey, rileyKey] = [key('alex-editor'), key('riley-example')];
  writeFileSync(join(scratch, 'content', 'people', 'alex-editor.yaml'), `${EDITOR}signing_keys:\n  - ${editorKey}\n`);
  writeFileSync(join(scratch, 'content', 'people', 'riley-example.yaml'), `${RILEY}signing_keys:\n  - ${rileyKey}\n`);
  const trustRoot = join(keys, 'trust-root');
  writeFileSync(trustRoot, `alex-editor ${editorKey}\n`);
  const git = (...args) => run('git', args, { cwd: scratch });
  git('init', '--quiet');
  git('add', '-A');
  git(...WRITER, 'commit', '--quiet', '--no-gpg-sign', '-m', 'Content, a fictional editor and a fictional reviewer');
  for (const subject of ['people/alex-editor', 'people/riley-example', 'people/securebase-editorial', 'site', 'theme']) {
    run(BIN, ['review', 'approve', subject, '--quiet', '--reviewer', 'alex-editor', '--summary', 'First editorial check (fictional)',
      '--key', join(keys, 'alex-editor'), '--root', scratch]);
  }
  for (const item of APPROVE) {
    run(BIN, ['review', 'approve', item, '--quiet', '--reviewer', 'riley-example',
      '--summary', 'First clinical review (fictional)', '--key', join(keys, 'riley-example'), '--root', scratch]);
  }
  git('add', 'content/reviews');
  git(...REVIEWER, 'commit', '--quiet', '--no-gpg-sign', '-m', `Review: approve ${APPROVE.join(', ')}`);
  const production = join(tmp, 'out-production');
  run(BIN, ['build', '--quiet', '--root', scratch, '--out', production, '--trust-root', trustRoot]);
  editions.push({ name: 'production', dir: production, what: `production from a scratch repository, ${APPROVE.length} approved items` });

  // The same repository after an edit to an approved item: the preview shows
  // approved, changed and unreviewed states, and the dashboard shows a diff.
  const avoidant = join(scratch, 'content', 'styles', 'avoidant.md');
  writeFileSync(avoidant, `${readFileSync(avoidant, 'utf8')}\nA sentence written after the approval, not yet reviewed.\n`);
  git(...WRITER, 'commit', '--quiet', '--no-gpg-sign', '-am', 'Edit the avoidant page after its approval');
  const reviewed = join(tmp, 'out-preview-reviewed');
  run(BIN, ['preview', '--quiet', '--root', scratch, '--out', reviewed]);
  editions.push({ name: 'preview-reviewed', dir: reviewed, what: 'preview of the scratch repository: approved, changed and unreviewed states' });
  return editions;
}

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

// The URL a reader uses for an HTML file: x/index.html is /x/.
function urlPath(file) {
  if (file === 'index.html') return '/';
  if (file.endsWith('/index.html')) return `/${file.slice(0, -'index.html'.length)}`;
  return `/${file}`;
}

// ---------------------------------------------------------------- serving

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.xml': 'application/xml', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png', '.ico': 'image/x-icon', '.webp': 'image/webp',
};

// A tiny static server: /x/ is x/index.html, /x is redirected to /x/ when x
// is a folder, a missing file is 404.html with status 404. Nothing is cached,
// so every page visit transfers everything it needs.
function serveDir(root) {
  const seen = { count: 0 };
  const server = createServer(async (req, res) => {
    seen.count++;
    const send = (status, body, type, extra = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = async () => {
      const body = await readFile(join(root, '404.html')).catch(() => Buffer.from('Not found'));
      send(404, body, TYPES['.html']);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, Buffer.from('Method not allowed'), TYPES['.txt']);
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      return send(400, Buffer.from('Bad request'), TYPES['.txt']);
    }
    if (path.includes('\0') || path.split('/').includes('..')) return send(400, Buffer.from('Bad request'), TYPES['.txt']);
    let file = join(root, path);
    if (path.endsWith('/')) file = join(file, 'index.html');
    const info = await stat(file).catch(() => null);
    if (info && info.isDirectory()) {
      return send(301, Buffer.from(''), TYPES['.txt'], { Location: `${path}/` });
    }
    if (!info || !info.isFile() || !file.startsWith(root)) return notFound();
    send(200, await readFile(file), TYPES[extname(file)] || 'application/octet-stream');
  });
  return new Promise((ok, bad) => {
    server.once('error', bad);
    server.listen(0, '127.0.0.1', () => ok({ server, seen, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

function freePort() {
  return new Promise((ok, bad) => {
    const s = createNetServer();
    s.once('error', bad);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

// ---------------------------------------------------------------- page helpers

// Runs before any page script: records CSP violations.
function initScript() {
  window.__sbCsp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__sbCsp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ${e.sample || ''}`.trim());
  });
}

// Listens to everything a page asks for and everything that goes wrong.
function watch(page, origin) {
  const log = { requests: [], foreign: [], failed: [], console: [], responses: [] };
  page.on('request', (r) => {
    log.requests.push(r.url());
    let ok = false;
    try {
      const u = new URL(r.url());
      ok = (u.protocol === 'http:' || u.protocol === 'ws:') && u.hostname === '127.0.0.1' && (!origin || u.origin === origin || u.protocol === 'ws:');
    } catch { /* not a URL: foreign */ }
    if (!ok) log.foreign.push(r.url());
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText || 'failed';
    // An EventSource torn down by a reload, or a favicon fetch cut short by
    // the test navigating on, is not a failure of the page.
    if (why === 'net::ERR_ABORTED' && (r.url().includes('/__securebase/') || r.resourceType() === 'other')) return;
    log.failed.push(`${r.url()} (${why})`);
  });
  page.on('response', (r) => log.responses.push(r));
  page.on('console', (m) => { if (m.type() === 'error') log.console.push(m.text()); });
  page.on('pageerror', (e) => log.console.push(`uncaught: ${e.message}`));
  return log;
}

async function runAxe(page, options) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    // page.addScriptTag({content}) would add an inline script, which the
    // site's CSP rightly refuses; evaluating over the DevTools protocol is
    // not subject to the page's CSP and leaves no trace in the page.
    await page.evaluate(AXE_SOURCE);
  }
  return page.evaluate(async (opts) => {
    const r = await window.axe.run(document, opts);
    const brief = (list) => list.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\s+/g, ' ')}`),
    }));
    const rules = new Set([...r.passes, ...r.violations, ...r.incomplete, ...r.inapplicable].map((x) => x.id));
    return { violations: brief(r.violations), incomplete: r.incomplete.map((v) => v.id), rules: [...rules] };
  }, options);
}

// Static checks of the DOM: inline scripts, inline styles and handlers,
// resources from other hosts, JSON-LD that parses.
function domAudit() {
  const out = { inlineScripts: [], inlineStyles: [], handlers: [], foreignRefs: [], jsonld: [], csp: '' };
  for (const s of document.querySelectorAll('script')) {
    if (s.src) continue;
    if ((s.type || '').toLowerCase() === 'application/ld+json') {
      try { JSON.parse(s.textContent); out.jsonld.push('ok'); } catch (e) { out.jsonld.push(`invalid JSON-LD: ${e.message}`); }
    } else {
      out.inlineScripts.push(s.textContent.slice(0, 80));
    }
  }
  for (const el of document.querySelectorAll('[style], style')) out.inlineStyles.push(el.tagName.toLowerCase());
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) out.handlers.push(`${el.tagName.toLowerCase()}[${a.name}]`);
      if ((a.name === 'href' || a.name === 'src' || a.name === 'action') && /^\s*javascript:/i.test(a.value)) out.handlers.push(`${el.tagName.toLowerCase()}[${a.name}=javascript:]`);
    }
  }
  const fetched = 'script[src], img[src], img[srcset], source[src], source[srcset], iframe[src], video[src], audio[src], link[rel~="stylesheet"], link[rel~="icon"], link[rel~="preload"], link[rel~="modulepreload"], link[rel~="manifest"], link[rel~="prefetch"], object[data], embed[src], form[action]';
  for (const el of document.querySelectorAll(fetched)) {
    for (const attr of ['src', 'href', 'action', 'data', 'srcset']) {
      const v = el.getAttribute(attr);
      if (!v) continue;
      for (const part of attr === 'srcset' ? v.split(',').map((x) => x.trim().split(/\s+/)[0]) : [v]) {
        const u = new URL(part, location.href);
        if (u.origin !== location.origin) out.foreignRefs.push(`${el.tagName.toLowerCase()} ${attr}=${part}`);
      }
    }
  }
  const meta = document.querySelector('meta[http-equiv="Content-Security-Policy" i]');
  out.csp = meta ? meta.content : '';
  return out;
}

// Tab from the top of the page to the end; every focusable, rendered element
// must be reached, and each must show a focus ring.
async function tabThrough(page) {
  await page.evaluate(() => {
    const sel = 'a[href], area[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, iframe, [tabindex]:not([tabindex="-1"]), [contenteditable=""], [contenteditable="true"]';
    window.__sbFocusables = [...document.querySelectorAll(sel)].filter((el) => el.checkVisibility({ visibilityProperty: true }) && !el.closest('[inert]'));
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  });
  const total = await page.evaluate(() => window.__sbFocusables.length);
  const reached = new Set();
  const problems = [];
  for (let i = 0; i < total + 10; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return null;
      const cs = getComputedStyle(el);
      const transparent = (c) => /rgba\([^)]*,\s*0\)$/.test(c) || c === 'transparent';
      const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && !transparent(cs.outlineColor);
      const shadow = cs.boxShadow && cs.boxShadow !== 'none';
      const r = el.getBoundingClientRect();
      const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
      const label = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
      return { index: window.__sbFocusables.indexOf(el), ring: outline || shadow, visible: el.matches(':focus-visible'), onScreen, label, first: el.classList.contains('skip-link') };
    });
    if (!f) { if (reached.size) break; else continue; }
    if (i === 0 && !f.first) problems.push(`first Tab stop is ${f.label}, not the skip link`);
    if (f.index >= 0 && reached.has(f.index)) break;
    if (f.index >= 0) reached.add(f.index);
    if (!f.ring || !f.visible) problems.push(`no visible focus ring on ${f.label}`);
    if (!f.onScreen) problems.push(`focused ${f.label} is off screen`);
  }
  if (reached.size < total) {
    const missed = await page.evaluate((got) => window.__sbFocusables
      .filter((_, i) => !got.includes(i))
      .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent || '').trim().slice(0, 30)}"`), [...reached]);
    problems.push(`not reachable by Tab: ${missed.slice(0, 5).join(', ')}${missed.length > 5 ? ` (+${missed.length - 5})` : ''}`);
  }
  return { total, reached: reached.size, problems };
}

// ---------------------------------------------------------------- the per-page pass

// Runs fn over items, n at a time.
async function pool(items, n, fn) {
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; await fn(items[i], i); } };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

async function checkPages(browser, edition, validator, pageIds) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  await context.addInitScript(initScript);
  const htmlFiles = edition.files.filter((f) => f.endsWith('.html'));
  // Two pages at a time: the machine has two cores.
  await pool(htmlFiles, 2, (file) => checkPage(context, edition, file, validator, pageIds)
    .catch((e) => check(`${edition.name} ${urlPath(file)} checked`, false, clip(e.message, 600))));
  await context.close();
}

async function checkPage(context, edition, file, validator, pageIds) {
  const { origin } = edition;
  const path = urlPath(file);
  const where = `${edition.name} ${path}`;
  const page = await context.newPage();
  const log = watch(page, origin);
  const resp = await page.goto(origin + path, { waitUntil: 'load' });
  check(`${where} loads`, resp && resp.status() === 200, `status ${resp && resp.status()}`);
  if (await page.$('script[src]')) {
    await page.waitForLoadState('networkidle', { timeout: 10000 })
      .catch(() => check(`${where} network goes idle`, false, 'still loading after 10 s'));
  }

  // Weight: every byte the page transferred (headers and bodies; nothing is cached or compressed).
  let bytes = 0;
  const unfinished = [];
  for (const r of log.responses) {
    // sizes() waits for the body; a response whose body never finishes
    // loading would wait for ever.
    const s = await within(r.request().sizes(), 5000);
    if (s) bytes += s.responseBodySize + s.responseHeadersSize;
    else unfinished.push(r.url());
  }
  check(`${where} every response finished`, unfinished.length === 0, unfinished.join(', '));
  if (bytes > stats.maxPageBytes) { stats.maxPageBytes = bytes; stats.maxPageBytesPath = where; }
  if (bytes >= MAX_PAGE_BYTES) stats.overweight++;
  check(`${where} transfer under ${kb(MAX_PAGE_BYTES)}`, bytes < MAX_PAGE_BYTES, kb(bytes));

  // CSP: no violation, no inline script but JSON-LD data, no inline style or handler.
  const csp = await page.evaluate(() => window.__sbCsp.slice());
  const audit = await page.evaluate(domAudit);
  stats.cspViolations += csp.length;
  stats.inlineScripts += audit.inlineScripts.length;
  check(`${where} CSP holds`, csp.length === 0, csp.join('; '));
  check(`${where} CSP meta`, /default-src 'none'/.test(audit.csp) && /script-src 'self'/.test(audit.csp) && !/unsafe-/.test(audit.csp), audit.csp || 'missing');
  check(`${where} no inline script but JSON-LD`, audit.inlineScripts.length === 0, audit.inlineScripts.join(' | '));
  check(`${where} no inline style or handler`, audit.inlineStyles.length + audit.handlers.length === 0, [...audit.inlineStyles, ...audit.handlers].join(', '));
  check(`${where} no resource from another host`, audit.foreignRefs.length === 0, audit.foreignRefs.join(', '));
  check(`${where} JSON-LD parses`, audit.jsonld.every((x) => x === 'ok'), audit.jsonld.join('; '));

  // HTML validity of the document exactly as served.
  const html = await resp.text();
  const report = await validator.validateString(html, `${edition.name}${path}`);
  const messages = report.results.flatMap((r) => r.messages);
  const errors = messages.filter((m) => m.severity === 2);
  stats.htmlErrors += errors.length;
  stats.htmlWarnings += messages.length - errors.length;
  check(`${where} valid HTML`, errors.length === 0, errors.slice(0, 5).map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`).join('; '));

  // Ids in the page, for the link check.
  pageIds.set(path, new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
  edition.links.push(...(await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.href))).map((href) => ({ from: path, href })));

  // Accessibility: WCAG 2.2 A and AA, light; colour rules again in dark.
  const axe = await runAxe(page, { runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations', 'incomplete'] });
  stats.axeRules = Math.max(stats.axeRules, axe.rules.length);
  stats.axeViolations += axe.violations.length;
  stats.axeIncomplete += axe.incomplete.length;
  check(`${where} axe (light)`, axe.violations.length === 0, axe.violations.map((v) => `${v.id} (${v.impact}): ${v.help} [${v.nodes.join(' | ')}]`).join('; '));
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await runAxe(page, { runOnly: { type: 'rule', values: ['color-contrast', 'link-in-text-block', 'target-size'] }, resultTypes: ['violations'] });
  stats.axeDarkViolations += dark.violations.length;
  check(`${where} axe colour rules (dark)`, dark.violations.length === 0, dark.violations.map((v) => `${v.id}: ${v.help} [${v.nodes.join(' | ')}]`).join('; '));
  await page.emulateMedia({ colorScheme: 'light' });
  // And every rule again at phone width: targets, reflow, scrolling regions.
  await page.setViewportSize({ width: 390, height: 844 });
  const phone = await runAxe(page, { runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations'] });
  stats.axePhoneViolations += phone.violations.length;
  check(`${where} axe (390px)`, phone.violations.length === 0, phone.violations.map((v) => `${v.id} (${v.impact}): ${v.help} [${v.nodes.join(' | ')}]`).join('; '));
  await page.setViewportSize({ width: 1280, height: 800 });

  // Keyboard: every interactive element reachable, each with a focus ring.
  const tab = await tabThrough(page);
  stats.focusStops += tab.reached;
  check(`${where} keyboard`, tab.problems.length === 0, tab.problems.slice(0, 6).join('; '));

  // Requests, console: last, so that they cover everything above.
  stats.requests += log.requests.length;
  edition.requests += log.requests.length;
  stats.foreignRequests += log.foreign.length;
  check(`${where} requests only 127.0.0.1`, log.foreign.length === 0, log.foreign.join(', '));
  const bad = [];
  for (const r of log.responses) if (r.status() >= 400) bad.push(`${r.url()} ${r.status()}`);
  const failedReqs = [...log.failed, ...bad];
  stats.failedRequests += failedReqs.length;
  check(`${where} no failed request`, failedReqs.length === 0, failedReqs.join(', '));
  stats.consoleErrors += log.console.length;
  check(`${where} no console error`, log.console.length === 0, clip(log.console.join(' | ')));
  edition.visited++;
  await page.close();
}

// Every link between pages resolves, fragments included.
async function checkLinks(edition, pageIds) {
  const seen = new Map();
  for (const { from, href } of edition.links) {
    const u = new URL(href);
    if (u.origin !== edition.origin) continue;
    const key = u.pathname + u.search;
    if (!seen.has(key)) {
      const r = await fetch(edition.origin + key, { redirect: 'follow' });
      await r.arrayBuffer();
      seen.set(key, r.status);
    }
    stats.linksChecked++;
    const status = seen.get(key);
    if (!check(`${edition.name} ${from} link ${u.pathname}${u.hash}`, status === 200, `status ${status}`)) continue;
    if (u.hash && u.hash.length > 1) {
      const ids = pageIds.get(u.pathname);
      const id = decodeURIComponent(u.hash.slice(1));
      if (ids) check(`${edition.name} ${from} link ${u.pathname}${u.hash}`, ids.has(id), 'no element with that id');
    }
  }
}

// With JavaScript off, at phone width: every page renders, the skip link
// works, a link in the content can be followed, nothing overflows sideways.
async function checkNoScript(browser, edition) {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const pages = [await context.newPage(), await context.newPage()];
  const logs = pages.map((p) => watch(p, edition.origin));
  const files = edition.files.filter((f) => f.endsWith('.html'));
  await pool([0, 1], 2, async (w) => {
    for (let i = w; i < files.length; i += 2) {
      await noScriptPage(pages[w], edition, files[i])
        .catch((e) => check(`${edition.name} ${urlPath(files[i])} (no JS) checked`, false, clip(e.message, 600)));
    }
  });
  const log = { console: logs.flatMap((l) => l.console), failed: logs.flatMap((l) => l.failed), foreign: logs.flatMap((l) => l.foreign), requests: logs.flatMap((l) => l.requests) };
  check(`${edition.name} no JS: no console error`, log.console.length === 0, clip(log.console.join(' | ')));
  check(`${edition.name} no JS: no failed or foreign request`, log.failed.length + log.foreign.length === 0, [...log.failed, ...log.foreign].join(', '));
  stats.requests += log.requests.length;
  edition.requests += log.requests.length;
  await context.close();
}

async function noScriptPage(page, edition, file) {
  const path = urlPath(file);
  const where = `${edition.name} ${path} (no JS, 390px)`;
  const resp = await page.goto(edition.origin + path);
  const state = await page.evaluate(() => {
    const main = document.querySelector('main');
    const h1 = document.querySelector('main h1');
    const r = h1 && h1.getBoundingClientRect();
    const wide = [...document.querySelectorAll('body *')].filter((el) => {
      const b = el.getBoundingClientRect();
      return b.width > 0 && b.right > document.documentElement.clientWidth + 1 && !el.closest('.table-scroll, .prose table, pre');
    }).slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return {
      h1: h1 ? h1.textContent.trim() : '', h1Shown: !!r && r.width > 0 && r.height > 0,
      text: main ? main.innerText.trim().length : 0,
      crisis: !!document.querySelector('.crisis a[href^="tel:"]'),
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth, wide,
      noscript: document.querySelector('noscript') ? document.body.innerText.includes('Search needs JavaScript') : null,
    };
  });
  check(`${where} renders`, resp.status() === 200 && state.h1Shown && state.text > 60 && state.crisis, JSON.stringify(state));
  check(`${where} no sideways scrolling`, state.overflow <= 0 && state.wide.length === 0, `scrollWidth exceeds the viewport by ${state.overflow}px ${state.wide.join(', ')}`);
  if (path === '/search/') check(`${where} says search needs JavaScript`, state.noscript === true);
  // Skip link, natively.
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement && document.activeElement.className);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#main', null, { timeout: 2000 }).catch(() => {});
  const focus = await page.evaluate(() => ({ id: document.activeElement && document.activeElement.id, hash: location.hash }));
  check(`${where} skip link moves focus to the content`, first === 'skip-link' && focus.id === 'main' && focus.hash === '#main', `first Tab stop .${first}, then focus on #${focus.id}`);
  // Follow the first link in the content that leads to another page.
  const target = await page.evaluate(() => {
    const a = [...document.querySelectorAll('main a[href]')].find((x) => x.origin === location.origin && x.pathname !== location.pathname && !/\.(json|xml)$/.test(x.pathname));
    return a ? a.getAttribute('href') : null;
  });
  if (target) {
    const [nav] = await Promise.all([page.waitForNavigation(), page.click(`main a[href="${target}"] >> nth=0`)]);
    const ok = nav && nav.status() === 200 && (await page.$('main h1')) !== null;
    check(`${where} link ${target} works`, ok, `status ${nav && nav.status()}`);
  }
}

// ---------------------------------------------------------------- behaviour

async function searchFor(page, query) {
  await page.fill('#search-input', query);
  await page.press('#search-input', 'Enter');
  // The status names the query once this search, not the one before, has run.
  await page.waitForFunction((q) => {
    const s = document.getElementById('search-status').textContent;
    return /result/i.test(s) && s.includes(`\u201c${q}\u201d`);
  }, query, { timeout: 5000 });
  return page.evaluate(() => ({
    status: document.getElementById('search-status').textContent,
    hits: [...document.querySelectorAll('#search-results a')].map((a) => a.getAttribute('href')),
  }));
}

async function checkBehaviour(browser, edition, cases) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(initScript);
  const page = await context.newPage();
  const log = watch(page, edition.origin);

  // Search.
  await page.goto(`${edition.origin}/search/`);
  await page.waitForLoadState('networkidle');
  for (const { query, expect, absent } of cases) {
    const r = await searchFor(page, query);
    if (expect) check(`${edition.name} search "${query}" finds ${expect}`, r.hits[0] === expect, `${r.status}; top hits ${r.hits.slice(0, 3).join(', ')}`);
    if (absent) check(`${edition.name} search "${query}" does not show ${absent}`, !r.hits.includes(absent), r.hits.join(', '));
  }
  const none = await searchFor(page, 'xqzvlorp glimbrasht');
  check(`${edition.name} search for nonsense shows nothing`, none.hits.length === 0 && /^No results/.test(none.status), none.status);
  if (cases[0]?.expect) {
    await page.goto(`${edition.origin}/search/?q=${encodeURIComponent(cases[0].query)}`);
    await page.waitForFunction(() => document.querySelectorAll('#search-results a').length > 0, null, { timeout: 5000 }).catch(() => {});
    const first = await page.evaluate(() => document.querySelector('#search-results a')?.getAttribute('href'));
    check(`${edition.name} search from ?q=`, first === cases[0].expect, `first hit ${first}`);
  }

  // Skip link with JavaScript on: first Tab, Enter, focus on <main>, next Tab inside it.
  await page.goto(`${edition.origin}/styles/avoidant/`);
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const el = document.activeElement; const r = el.getBoundingClientRect();
    return { cls: el.className, shown: r.top >= 0 && r.bottom <= innerHeight && r.height > 0 };
  });
  await page.keyboard.press('Enter');
  const afterEnter = await page.evaluate(() => document.activeElement.id);
  await page.keyboard.press('Tab');
  const inside = await page.evaluate(() => document.querySelector('main').contains(document.activeElement));
  check(`${edition.name} skip link`, skip.cls === 'skip-link' && skip.shown && afterEnter === 'main' && inside,
    `first stop .${skip.cls} shown=${skip.shown}, after Enter #${afterEnter}, next Tab inside main=${inside}`);

  // Dark mode follows prefers-color-scheme.
  const colours = async (scheme) => {
    await page.emulateMedia({ colorScheme: scheme });
    return page.evaluate(() => {
      const cs = getComputedStyle(document.body);
      const lum = (c) => {
        const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      return { bg: cs.backgroundColor, fg: cs.color, bgLum: lum(cs.backgroundColor), fgLum: lum(cs.color) };
    });
  };
  const light = await colours('light');
  const dark = await colours('dark');
  check(`${edition.name} dark mode follows prefers-color-scheme`, light.bg !== dark.bg && light.bgLum > 0.8 && dark.bgLum < 0.05 && dark.fgLum > 0.6,
    `light ${light.bg} on ${light.fg}, dark ${dark.bg} on ${dark.fg}`);
  await page.emulateMedia({ colorScheme: 'light' });

  // Print drops navigation and keeps the content.
  await page.emulateMedia({ media: 'print' });
  const print = await page.evaluate(() => {
    const shown = (sel) => { const el = document.querySelector(sel); return !!el && el.checkVisibility(); };
    return { nav: shown('.site-header nav'), skip: shown('.skip-link') && getComputedStyle(document.querySelector('.skip-link')).display !== 'none', footer: shown('.footer-links'), care: shown('.care'), h1: shown('main h1'), prose: shown('main .prose'), crisis: shown('.crisis-help') };
  });
  await page.emulateMedia({ media: 'screen' });
  check(`${edition.name} print hides navigation`, !print.nav && !print.skip && !print.footer && !print.care && print.h1 && print.prose && print.crisis, JSON.stringify(print));

  const csp = await page.evaluate(() => window.__sbCsp.slice());
  check(`${edition.name} behaviour: no console error, CSP violation, failed or foreign request`,
    log.console.length + csp.length + log.failed.length + log.foreign.length === 0,
    clip([...log.console, ...csp, ...log.failed, ...log.foreign].join(' | ')));
  stats.requests += log.requests.length;
  edition.requests += log.requests.length;

  // A missing page is the 404 page, with status 404.
  const missing = await page.goto(`${edition.origin}/no-such-page/`);
  check(`${edition.name} missing page is 404.html with 404`, missing.status() === 404 && /Page not found/.test(await page.textContent('h1')), `status ${missing.status()}`);
  await context.close();
}

// `securebase serve`: an edit to a content file reloads the open page.
async function checkServe(browser, tmp) {
  const root = join(tmp, 'serve-site');
  copySite(root);
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--quiet', '--root', root, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  const origin = `http://127.0.0.1:${port}`;
  try {
    let up = false;
    for (let i = 0; i < 100 && !up && child.exitCode === null; i++) {
      up = await fetch(`${origin}/`).then((r) => r.ok, () => false);
      if (!up) await sleep(100);
    }
    if (!check('serve starts', up, clip(output))) return;
    const context = await browser.newContext();
    await context.addInitScript(initScript);
    const page = await context.newPage();
    const log = watch(page, origin);
    let loads = 0;
    page.on('load', () => { loads++; });
    await page.goto(`${origin}/styles/avoidant/`);
    // Wait until the page is listening for changes.
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/__securebase/')), null, { timeout: 5000 }).catch(() => {});
    await sleep(300);
    // Also listen to the event stream directly, to say why if the page does not reload.
    let stream = '';
    const tap = httpGet(`${origin}/__securebase/events`, (res) => res.on('data', (d) => { stream += d; }));
    tap.on('error', () => {});
    await sleep(200);
    const marker = `Live reload marker ${Date.now()}`;
    const file = join(root, 'content', 'styles', 'avoidant.md');
    const before = loads;
    const t0 = Date.now();
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n${marker}.\n`);
    const seen = await page.waitForFunction((m) => document.body && document.body.innerText.includes(m), marker, { timeout: RELOAD_BUDGET_MS })
      .then(() => true, () => false);
    const ms = Date.now() - t0;
    stats.reloadMs = ms;
    await sleep(200);
    tap.destroy();
    let why = `not within ${RELOAD_BUDGET_MS} ms`;
    if (!seen) {
      const events = stream.split(/\n\n/).filter((e) => /^event: /m.test(e));
      const reload = events.find((e) => /^event: reload$/m.test(e));
      if (!reload) why += '; the event stream sent no reload event';
      else if (!/^data:/m.test(reload)) why += `; the event stream sent ${JSON.stringify(`${reload}\n\n`)}: an event with no data line, which browsers never dispatch (the SSE spec drops events whose data buffer is empty), so the page's reload listener never runs`;
      else why += `; the event stream sent ${JSON.stringify(reload)}, but the page did not reload`;
    }
    check(`serve reloads the open page with the new text within ${RELOAD_BUDGET_MS} ms`, seen && loads > before, seen ? `${ms} ms, reloads ${loads - before}` : why);
    const csp = await page.evaluate(() => window.__sbCsp.slice());
    check('serve: no console error, CSP violation, failed or foreign request', log.console.length + csp.length + log.failed.length + log.foreign.length === 0,
      clip([...log.console, ...csp, ...log.failed, ...log.foreign].join(' | ')));
    stats.requests += log.requests.length;
    await context.close();
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const { code, signal } = await exited;
      clearTimeout(t);
      check('serve stops cleanly on Ctrl-C', code === 0, `exit ${code} ${signal || ''} ${clip(output)}`);
    }
  }
}

// ---------------------------------------------------------------- screenshots

async function screenshots(browser, shots) {
  mkdirSync(SHOTS, { recursive: true });
  const written = [];
  for (const vp of [{ width: 390, height: 844, mobile: true }, { width: 1280, height: 800, mobile: false }]) {
    const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, isMobile: vp.mobile, hasTouch: vp.mobile, deviceScaleFactor: 1 });
    const page = await context.newPage();
    for (const s of shots) {
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(s.url);
        if (s.after) await s.after(page);
        const name = `${s.name}-${vp.width}x${vp.height}-${scheme}.png`;
        await page.screenshot({ path: join(SHOTS, name), fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        check(`screenshot ${name}: no sideways scrolling`, overflow <= 0, `${overflow}px too wide`);
        written.push(name);
      }
    }
    await context.close();
  }
  return written;
}

// ---------------------------------------------------------------- Lighthouse

async function lighthouse(targets) {
  const cli = join(HERE, 'node_modules', 'lighthouse', 'cli', 'index.js');
  const result = { lighthouse: '12.2.3', chrome: CHROME, minimum: LIGHTHOUSE_MIN, settings: 'default mobile emulation and simulated throttling', runs: LIGHTHOUSE_RUNS, judged: 'the run with the median performance score', pages: [] };
  if (process.env.SKIP_LIGHTHOUSE === '1') {
    result.skipped = 'SKIP_LIGHTHOUSE=1';
    console.log('  Lighthouse skipped (SKIP_LIGHTHOUSE=1)');
    return result;
  }
  if (!existsSync(cli)) {
    result.skipped = `lighthouse is not installed (${cli}); run npm ci`;
    check('Lighthouse installed', false, result.skipped);
    return result;
  }
  for (const t of targets) {
    // Lighthouse's performance score moves from run to run with the host's
    // load (its total blocking time is measured, then scaled), so each page
    // runs LIGHTHOUSE_RUNS times and the run with the median performance
    // score is judged, as Lighthouse's own guidance on variability advises.
    const runs = [];
    let failed = null;
    for (let i = 0; i < LIGHTHOUSE_RUNS && failed === null; i += 1) {
      const run = await lighthouseRun(cli, t);
      if (run.error) failed = run.error; else runs.push(run.lhr);
    }
    if (failed !== null) {
      result.pages.push({ name: t.name, url: t.path, error: failed });
      check(`Lighthouse ${t.name} ran`, false, failed);
      continue;
    }
    const performance = (lhr) => lhr.categories.performance?.score ?? 0;
    const allPerformance = runs.map((lhr) => Math.round(performance(lhr) * 100));
    const lhr = [...runs].sort((x, y) => performance(x) - performance(y))[Math.floor(runs.length / 2)];
    const scores = {};
    const below = {};
    for (const [id, cat] of Object.entries(lhr.categories)) {
      scores[id] = cat.score === null ? null : Math.round(cat.score * 100);
      below[id] = cat.auditRefs.filter((r) => r.weight > 0 && lhr.audits[r.id].score !== null && lhr.audits[r.id].score < 1)
        .map((r) => `${r.id} (${lhr.audits[r.id].score})`);
    }
    const metrics = Object.fromEntries(['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index']
      .map((id) => [id, lhr.audits[id]?.displayValue]));
    result.pages.push({ name: t.name, url: t.path, scores, below, metrics, performanceRuns: allPerformance, runWarnings: lhr.runWarnings });
    for (const [id, s] of Object.entries(scores)) {
      check(`Lighthouse ${t.name} ${id} >= ${LIGHTHOUSE_MIN}`, s !== null && s >= LIGHTHOUSE_MIN, `${s}; audits below 1: ${below[id].join(', ')}`);
    }
    console.log(`  ${t.name} ${t.path}: ${Object.entries(scores).map(([k, v]) => `${k} ${v}`).join(', ')} (performance of each run: ${allPerformance.join(', ')})`);
  }
  return result;
}

// One Lighthouse run of target `t`: its report, or why there is none.
async function lighthouseRun(cli, t) {
  const out = join(mkdtempSync(join(tmpdir(), 'sb-lh-')), 'report.json');
  const args = [cli, t.url, '--quiet', '--output=json', `--output-path=${out}`, '--no-enable-error-reporting',
    '--only-categories=performance,accessibility,best-practices,seo',
    `--chrome-flags=--headless=new ${CHROME_ARGS.join(' ')}`];
  let err = '';
  const code = await new Promise((ok) => {
    const p = spawn(process.execPath, args, { env: { ...process.env, CHROME_PATH: CHROME }, stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr.on('data', (d) => { err += d; });
    p.once('exit', ok);
  });
  const report = code === 0 && existsSync(out) ? readFileSync(out, 'utf8') : null;
  rmSync(dirname(out), { recursive: true, force: true });
  return report === null ? { error: `lighthouse exited ${code}: ${clip(err, 600)}` } : { lhr: JSON.parse(report) };
}

// ---------------------------------------------------------------- main

async function main() {
  const started = Date.now();
  if (!existsSync(BIN)) throw new Error(`no securebase binary at ${BIN}: run cargo build --release, or set SECUREBASE_BIN`);
  if (!existsSync(CHROME)) throw new Error(`no Chromium at ${CHROME}: apt-get install -y chromium, or set CHROME_PATH`);
  const tmp = mkdtempSync(join(tmpdir(), 'securebase-browser-'));
  const servers = [];
  let browser;
  try {
    step(`Building with ${BIN}`);
    const editions = buildAll(tmp);
    for (const e of editions) {
      e.files = listFiles(e.dir).filter((f) => !f.startsWith('.'));
      const s = await serveDir(e.dir);
      servers.push(s);
      Object.assign(e, { origin: s.origin, seen: s.seen, visited: 0, requests: 0, links: [] });
      console.log(`  ${e.name}: ${e.files.filter((f) => f.endsWith('.html')).length} pages, ${e.files.length} files, ${e.what}, at ${e.origin}`);
    }
    const [preview, production, reviewed] = editions;
    check('production withholds unapproved items', !production.files.includes('strategies/set-boundaries/index.html') && production.files.includes('styles/avoidant/index.html'));
    check('production has no review dashboard', !production.files.some((f) => f.startsWith('review/')));
    check('preview has the review dashboard', preview.files.includes('review/index.html'));

    browser = await chromium.launch({ executablePath: CHROME, args: CHROME_ARGS });
    const validator = new HtmlValidate(HTML_VALIDATE_CONFIG);
    const axeRules = await (async () => {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.evaluate(AXE_SOURCE);
      const rules = await p.evaluate((tags) => window.axe.getRules(tags).map((r) => r.ruleId), AXE_TAGS);
      await ctx.close();
      return rules;
    })();

    for (const e of editions) {
      step(`Every page of ${e.name}: axe, HTML, requests, CSP, weight, keyboard`);
      const ids = new Map();
      await checkPages(browser, e, validator, ids);
      await part(`${e.name} links`, () => checkLinks(e, ids));
      step(`Every page of ${e.name} without JavaScript, at 390px`);
      await part(`${e.name} without JavaScript`, () => checkNoScript(browser, e));
    }

    step('Behaviour: search, skip link, dark mode, print, 404');
    await part('behaviour (preview)', () => checkBehaviour(browser, preview, [
      { query: 'boundaries', expect: '/strategies/set-boundaries/' },
      { query: 'EMDR', expect: '/therapies/emdr/' },
      { query: 'dialectical', expect: '/therapies/dbt/' },
      { query: 'self-compassion', expect: '/strategies/self-compassion/' },
    ]));
    await part('behaviour (production)', () => checkBehaviour(browser, production, [
      { query: 'cognitive behavioral', expect: '/therapies/cbt/' },
      { query: 'avoidant', expect: '/styles/avoidant/' },
      { query: 'boundaries', absent: '/strategies/set-boundaries/' },
      { query: 'EMDR', absent: '/therapies/emdr/' },
    ]));

    step('Live reload in securebase serve');
    await part('live reload', () => checkServe(browser, tmp));

    step("The reader's first screen (production item pages)");
    await part('first screen', async () => {
      const items = production.files.filter((f) => /^(styles|strategies|therapies|guides)\/[^/]+\/index\.html$/.test(f));
      check('production has item pages to measure', items.length > 0);
      for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
        const phone = viewport.width < 600;
        const context = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone });
        const page = await context.newPage();
        for (const file of items) {
          const url = `${production.origin}/${file.replace(/index\.html$/, '')}`;
          await page.goto(url);
          const m = await page.evaluate(() => {
            const box = (selector) => {
              const e = document.querySelector(selector);
              if (!e) return null;
              const r = e.getBoundingClientRect();
              return { top: Math.round(r.top + scrollY), bottom: Math.round(r.bottom + scrollY) };
            };
            return {
              crisis: box('.crisis-line'), title: box('h1'), summary: box('.item-header .summary'), trust: box('.trust-line'),
              content: box('.takeaways') || box('.prose > p'), body: box('.item > .prose > p'), screen: innerHeight,
              fingerprint: /SHA256:[A-Za-z0-9+/]{43}/.test(document.body.textContent),
            };
          });
          const where = `${url} at ${viewport.width}x${viewport.height}`;
          for (const part of ['crisis', 'title', 'summary', 'trust']) {
            check(`${where}: the ${part} line is on the first screen`, m[part] !== null && m[part].bottom <= m.screen, JSON.stringify(m[part]));
          }
          const limit = phone ? 1.25 * m.screen : m.screen;
          check(`${where}: the page's own content starts within ${phone ? '1.25 screens' : 'the first screen'}`, m.content !== null && m.content.top < limit, JSON.stringify(m.content));
          check(`${where}: no key fingerprint on the reader's page`, !m.fingerprint);
          if (file === 'styles/avoidant/index.html') {
            console.log(`  ${where}: title at ${m.title.top} px, key takeaways at ${m.content.top} px, first body paragraph at ${m.body ? m.body.top : '-'} px`);
            if (process.env.SCREENSHOTS !== '0') {
              mkdirSync(join(REPO, 'docs', 'screenshots'), { recursive: true });
              await page.screenshot({ path: join(REPO, 'docs', 'screenshots', phone ? 'item-phone.png' : 'item-desktop.png') });
            }
          }
        }
        await context.close();
      }
    });

    step('The review dashboard at 1280 px');
    await part('dashboard width', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${reviewed.origin}/review/`);
      const hidden = await page.evaluate(() => {
        const box = document.querySelector('.table-scroll');
        return box.scrollWidth - box.clientWidth;
      });
      check('the dashboard table is whole at 1280 px (no column cut off)', hidden <= 0, `${hidden}px scrolled out of sight`);
      await context.close();
    });

    let shots = [];
    if (process.env.SCREENSHOTS !== '0') {
      step(`Screenshots in ${relative(REPO, SHOTS)}`);
      shots = await part('screenshots', () => screenshots(browser, [
        { name: 'home', url: `${preview.origin}/` },
        { name: 'style', url: `${preview.origin}/styles/avoidant/` },
        { name: 'therapy', url: `${preview.origin}/therapies/emdr/` },
        { name: 'dashboard', url: `${preview.origin}/review/` },
        { name: 'production-style', url: `${production.origin}/styles/avoidant/` },
        { name: 'dashboard-with-diff', url: `${reviewed.origin}/review/` },
        { name: 'search', url: `${preview.origin}/search/?q=attachment`, after: (p) => p.waitForSelector('#search-results a') },
      ]), []);
      console.log(`  ${shots.length} screenshots`);
    }
    await browser.close();
    browser = null;

    step('Lighthouse (production edition)');
    const lh = await part('Lighthouse', () => lighthouse([
      { name: 'home', path: '/', url: `${production.origin}/` },
      { name: 'style', path: '/styles/avoidant/', url: `${production.origin}/styles/avoidant/` },
    ]), { pages: [], skipped: 'Lighthouse failed; see above' });
    writeFileSync(LIGHTHOUSE_REPORT, `${JSON.stringify(lh, null, 2)}\n`);

    // ------------------------------------------------------------ summary
    stats.serverRequests = editions.reduce((n, e) => n + e.seen.count, 0);
    step('Summary');
    for (const e of editions) console.log(`  ${e.name}: ${e.visited} pages visited (every .html file), ${e.requests} browser requests`);
    console.log(`  axe-core ${require('axe-core/package.json').version}: ${axeRules.length} rules for ${AXE_TAGS.join(', ')} (${stats.axeRules} ran per page), violations ${stats.axeViolations}, at 390px ${stats.axePhoneViolations}, colour rules in dark mode ${stats.axeDarkViolations}, needs-review ${stats.axeIncomplete}`);
    console.log(`  html-validate ${require('html-validate/package.json').version}: errors ${stats.htmlErrors}, warnings ${stats.htmlWarnings}`);
    console.log(`  requests seen: ${stats.requests} by the browser (${stats.serverRequests} served), to other hosts ${stats.foreignRequests}, failed ${stats.failedRequests}`);
    console.log(`  console errors ${stats.consoleErrors}, CSP violations ${stats.cspViolations}, inline scripts ${stats.inlineScripts}`);
    console.log(`  heaviest page ${kb(stats.maxPageBytes)} (${stats.maxPageBytesPath}), pages over ${kb(MAX_PAGE_BYTES)}: ${stats.overweight}`);
    console.log(`  keyboard: ${stats.focusStops} focus stops checked for a focus ring; links checked: ${stats.linksChecked}`);
    if (stats.reloadMs !== undefined) console.log(`  serve live reload: ${stats.reloadMs} ms`);
    for (const p of lh.pages) console.log(`  Lighthouse ${p.url}: ${p.error || Object.entries(p.scores).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (lh.skipped) console.log(`  Lighthouse skipped: ${lh.skipped}`);
    console.log(`  screenshots: ${shots.length} in ${relative(REPO, SHOTS)}/`);
    console.log(`  time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    for (const s of servers) s.server.close();
    if (process.env.KEEP_TMP === '1') console.log(`  kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  check('suite ran to the end', false, e && e.stack ? e.stack : String(e));
}
if (failures.length) {
  console.log(`\n${failures.length} failure(s):`);
  for (const f of failures.slice(0, 200)) console.log(`  - ${f}`);
}
console.log(`\nbrowser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
