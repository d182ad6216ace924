import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
const [,, url, name, w = '390', h = '844', scheme = 'light', segH = '1400'] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const mobile = +w < 600;
const c = await b.newContext({ viewport: { width: +w, height: +h }, isMobile: mobile, hasTouch: mobile, colorScheme: scheme });
const p = await c.newPage();
await p.goto(url);
if (url.includes('search')) await p.waitForSelector('#search-results a').catch(()=>{});
const H = await p.evaluate(() => document.documentElement.scrollHeight);
const W = await p.evaluate(() => document.documentElement.scrollWidth);
mkdirSync('/tmp/segs', { recursive: true });
let i = 0;
for (let y = 0; y < H; y += +segH) {
  await p.screenshot({ path: `/tmp/segs/${name}-${i++}.png`, fullPage: true, clip: { x: 0, y, width: W, height: Math.min(+segH, H - y) } });
}
console.log(name, W, H, i, 'segments');
await b.close();
