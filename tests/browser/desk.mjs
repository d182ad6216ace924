#!/usr/bin/env node
// The review desk in a real browser: headless Chromium with a virtual
// authenticator (the DevTools protocol's WebAuthn domain) plays each
// person's passkey. The whole path: an editor is invited, enrols and is
// put in the trust root; a clinician is invited and enrols; the editor
// signs in and approves the people files, site.toml and the theme; the
// clinician signs in and approves an item, then a changed version of it
// from a page showing the rendered diff. Then a production build publishes
// that version naming the clinician, and `ssh-keygen -Y verify` accepts
// every record the desk wrote. Along the way: axe on every desk page, a
// cross-site form refused, and screenshots for the README.
//
//   cd tests/browser && npm ci && node desk.mjs
//
// Environment: SECUREBASE_BIN (default target/release/securebase), CHROME_PATH
// (default /usr/bin/chromium), KEEP_TMP=1 keeps the repository.
// Exit code 0 when every check passed, 1 otherwise.

import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const BIN = resolve(REPO, process.env.SECUREBASE_BIN || 'target/release/securebase');
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
const CHROME_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
// The README shows these: the suite makes them from the real pages.
const SHOTS = join(REPO, 'docs', 'screenshots');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let passed = 0;
const failures = [];
function check(name, ok, detail = '') {
  if (ok) { passed++; return true; }
  failures.push(`${name}${detail ? `: ${detail}` : ''}`);
  console.log(`  FAIL ${name}${detail ? `: ${detail}` : ''}`);
  return false;
}

const tmp = mkdtempSync(join(tmpdir(), 'securebase-desk-'));
const root = join(tmp, 'repo');
const git = (...args) => execFileSync('git', ['-C', root, '-c', 'user.name=Writer (fictional)',
  '-c', 'user.email=writer@fixture.example', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' });
const sb = (...args) => execFileSync(BIN, [...args, '--root', root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// The fixture site in a new repository, with no ledgers.
cpSync(join(REPO, 'tests/fixtures/valid'), root, { recursive: true });
cpSync(join(REPO, 'themes/default'), join(root, 'themes/default'), { recursive: true });
rmSync(join(root, 'content/reviews'), { recursive: true, force: true });
// Riley wrote the overview, so may not approve it.
const overview = join(root, 'content/guides/overview.md');
writeFileSync(overview, readFileSync(overview, 'utf8').replace('author: fixture-team', 'author: riley-example'));
git('init', '-q');
git('add', '-A');
git('commit', '-q', '-m', 'Content');

const PORT = 18000 + Math.floor(Math.random() * 2000);
const ORIGIN = `http://localhost:${PORT}`;
const trustRoot = join(tmp, 'trust-root');
// Until the editor has a passkey, the trust root names a key of theirs
// that signs nothing here.
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bootstrap', '-f', join(tmp, 'bootstrap')]);
writeFileSync(trustRoot, `fixture-team ${readFileSync(join(tmp, 'bootstrap.pub'), 'utf8')}`);

let desk;
async function startDesk() {
  desk = spawn(BIN, ['desk', '--root', root, '--port', String(PORT), '--trust-root', trustRoot], { stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${ORIGIN}/sign-in`);
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the desk did not start');
}
async function stopDesk() {
  if (!desk) return;
  const exited = new Promise((r) => desk.once('exit', r));
  desk.kill('SIGINT');
  await exited;
  desk = null;
}

async function axe(page, where) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return r.violations.map((v) => `${v.id}: ${v.help} [${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}]`);
  }, AXE_TAGS);
  check(`${where}: axe 0 violations`, result.length === 0, result.join('; '));
}

async function person(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true },
  });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`); });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

async function shot(page, name, fullPage = false) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

async function enrol(page, id, screenshot) {
  const link = sb('desk', 'invite', id, '--port', String(PORT)).trim();
  check(`invite ${id} prints a link`, link.startsWith(`${ORIGIN}/enrol/`), link);
  await page.goto(link);
  await axe(page, `enrol ${id}`);
  if (screenshot) await shot(page, screenshot);
  await page.click('#enrol');
  await page.waitForSelector('#key-line:not([hidden])', { timeout: 15000 });
  const line = (await page.textContent('#key-line')).trim();
  check(`${id}'s passkey is an OpenSSH sk-ecdsa key line for localhost`, line.startsWith('sk-ecdsa-sha2-nistp256@openssh.com '), line);
  const people = readFileSync(join(root, `content/people/${id}.yaml`), 'utf8');
  check(`${id}'s people file lists the passkey`, people.includes(`  - ${line}\n`));
  check(`the enrolment is committed`, git('status', '--porcelain') === '');
  return line;
}

async function signIn(page, id) {
  await page.goto(`${ORIGIN}/sign-in`);
  await page.click('#sign-in');
  await page.waitForURL(`${ORIGIN}/`, { timeout: 15000 });
  check(`${id} signed in`, (await page.textContent('.who')).startsWith('Signed in as'));
}

async function decide(page, subject, text, value = 'approved') {
  await page.goto(`${ORIGIN}/review/${subject}`);
  await page.fill('#decision-text', text);
  await page.click(`button[value="${value}"]`);
  await page.waitForSelector('#status[data-kind="done"], #status[data-kind="error"]', { timeout: 15000 });
  const status = await page.textContent('#status');
  check(`${subject}: ${value}`, status.startsWith('Done:'), status);
  return status;
}

let browser;
let crossSite;
try {
  await startDesk();
  browser = await chromium.launch({ executablePath: CHROME, args: CHROME_ARGS });

  // The editor enrols, and their passkey goes into the trust root.
  const editor = await person(browser);
  const editorLine = await enrol(editor.page, 'fixture-team');
  await stopDesk();
  writeFileSync(trustRoot, `fixture-team ${editorLine}\n`);
  await startDesk();

  // The clinician enrols (the README's first screenshot).
  const riley = await person(browser);
  const rileyLine = await enrol(riley.page, 'riley-example', 'desk-enrol');

  // The editor signs in and approves what every page shows.
  await signIn(editor.page, 'fixture-team');
  await axe(editor.page, 'queue (editor)');
  const queue = await editor.page.textContent('main');
  for (const s of ['people/fixture-team', 'people/riley-example', 'site', 'theme']) {
    check(`the editor's queue lists ${s}`, queue.includes(s));
  }
  await shot(editor.page, 'desk-queue-editor');
  await editor.page.goto(`${ORIGIN}/review/people/riley-example`);
  await axe(editor.page, 'review people/riley-example');
  for (const s of ['people/fixture-team', 'people/riley-example', 'site', 'theme']) {
    await decide(editor.page, s, 'Checked at the review desk');
  }

  // The clinician signs in, and approves the avoidant style.
  await signIn(riley.page, 'riley-example');
  await axe(riley.page, 'queue (clinician)');
  await shot(riley.page, 'desk-queue');
  await riley.page.goto(`${ORIGIN}/review/styles/avoidant`);
  await axe(riley.page, 'review styles/avoidant (first review)');
  await decide(riley.page, 'styles/avoidant', 'First clinical review');

  // Refused in the page, with nothing written: an author approving their
  // own item, and an invitation that has expired.
  const before = git('rev-parse', 'HEAD');
  await riley.page.goto(`${ORIGIN}/review/guides/overview`);
  await riley.page.fill('#decision-text', 'Looks right to me');
  await riley.page.click('button[value="approved"]');
  await riley.page.waitForSelector('#status[data-kind="error"]', { timeout: 15000 });
  const refusal = await riley.page.textContent('#status');
  check('an author approving their own item is told why', refusal.includes('wrote guides/overview; a different clinical reviewer must approve it'), refusal);
  check('and nothing is written', git('rev-parse', 'HEAD') === before && !existsSync(join(root, 'content/reviews/guides/overview.yaml')));
  const expired = sb('desk', 'invite', 'riley-example', '--hours', '0', '--port', String(PORT)).trim();
  const gone = await riley.page.goto(expired);
  check('an expired invitation is refused (410)', gone.status() === 410, String(gone.status()));
  check('and says so', (await riley.page.textContent('main')).includes('this invitation expired'));
  await axe(riley.page, 'an expired invitation');
  // The browser logs the two refusals' status codes, which were the point.
  riley.errors.length = 0;

  // A writer changes it; the clinician sees the rendered diff and approves version 2.
  const style = join(root, 'content/styles/avoidant.md');
  writeFileSync(style, readFileSync(style, 'utf8').replace('Body text for the fixture.', 'Body text for the fixture, with a clearer second sentence.'));
  git('commit', '-q', '-am', 'A clearer sentence');
  await riley.page.goto(`${ORIGIN}/review/styles/avoidant`);
  const diff = await riley.page.innerHTML('.article.diff');
  check('the review page marks the inserted words in the rendered text', /<ins>[^<]*clearer[^<]*<\/ins>/.test(diff), diff);
  check('the review page says what changed since version 1', (await riley.page.textContent('main')).includes('What changed since version 1'));
  await axe(riley.page, 'review styles/avoidant (with a diff)');
  await riley.page.fill('#decision-text', 'A clearer second sentence');
  await shot(riley.page, 'desk-review', true);
  const phone = await person(browser, { width: 390, height: 844 });
  await phone.context.addCookies(await riley.context.cookies());
  await phone.page.goto(`${ORIGIN}/review/styles/avoidant`);
  await axe(phone.page, 'review styles/avoidant at 390 px');
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('the review page fits a 390 px screen', overflow <= 0, `${overflow}px too wide`);
  await phone.page.goto(`${ORIGIN}/`);
  const queueOverflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('the queue fits a 390 px screen', queueOverflow <= 0, `${queueOverflow}px too wide`);
  const done = await decide(riley.page, 'styles/avoidant', 'A clearer second sentence');
  check('version 2 is recorded', done.includes('styles/avoidant version 2 approved by riley-example'), done);

  for (const p of [editor, riley, phone]) check('no console errors', p.errors.length === 0, p.errors.join('; '));

  // A form on another site posting to the desk is refused by its origin.
  crossSite = createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(`<!doctype html><title>elsewhere</title><form method="post" action="${ORIGIN}/sign-out"><button id="go">go</button></form>`);
  });
  await new Promise((r) => crossSite.listen(0, '127.0.0.1', r));
  await riley.page.goto(`http://127.0.0.1:${crossSite.address().port}/`);
  const [response] = await Promise.all([
    riley.page.waitForResponse((r) => r.url() === `${ORIGIN}/sign-out`),
    riley.page.click('#go'),
  ]);
  check('a cross-site form post is refused', response.status() === 403, String(response.status()));
  await riley.page.goto(`${ORIGIN}/`);
  check('and the session survives it', (await riley.page.textContent('.who')).startsWith('Signed in as'));

  // Production publishes version 2, naming the clinician.
  const out = join(tmp, 'public');
  execFileSync(BIN, ['build', '--root', root, '--trust-root', trustRoot, '--out', out], { stdio: 'pipe' });
  const page = readFileSync(join(out, 'styles/avoidant/index.html'), 'utf8');
  check('production publishes the approved version', page.includes('with a clearer second sentence'));
  check('production names the clinician', page.includes('Riley Example (fictional)'));
  check('production shows version 2', page.includes('<dt>Version</dt><dd>2</dd>'));

  // OpenSSH accepts every record the desk wrote.
  const allowed = join(tmp, 'allowed_signers');
  writeFileSync(allowed, `fixture-team ${editorLine}\nriley-example ${rileyLine}\n`);
  let verified = 0;
  for (const [subject, count, signer] of [['people/fixture-team', 1, 'fixture-team'], ['people/riley-example', 1, 'fixture-team'],
    ['site', 1, 'fixture-team'], ['theme', 1, 'fixture-team'], ['styles/avoidant', 2, 'riley-example']]) {
    for (let n = 1; n <= count; n++) {
      const sig = join(tmp, 'record.sig');
      const statement = sb('review', 'statement', subject, String(n), '--signature', sig);
      let said = '';
      try {
        said = execFileSync('ssh-keygen', ['-Y', 'verify', '-f', allowed, '-I', signer, '-n', 'securebase-review', '-s', sig],
          { input: statement, encoding: 'utf8' });
      } catch (e) { said = String(e.stdout || e.message); }
      if (check(`ssh-keygen verifies ${subject} record ${n}`, said.startsWith(`Good "securebase-review" signature for ${signer} with ECDSA-SK key`), said)) verified++;
    }
  }
  console.log(`  ssh-keygen -Y verify: ${verified} desk-made records, each "Good signature"`);
} catch (e) {
  check('the desk suite ran to the end', false, e.stack || String(e));
} finally {
  if (browser) await browser.close();
  if (crossSite) crossSite.close();
  await stopDesk();
  if (!process.env.KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp}`);
}

console.log(`desk: ${passed} passed, ${failures.length} failed`);
if (failures.length) {
  for (const f of failures) console.log(`  - ${f}`);
  process.exit(1);
}
if (!existsSync(join(SHOTS, 'desk-review.png'))) process.exit(1);
