#!/usr/bin/env node
// Browser accessibility harness: axe-core scans, a 360px reflow check, a table check at 360 px
// and at 200% zoom, and keyboard-only journeys.
//
//   node tests/browser/axe.mjs < job.json > result.json
//
// Job (stdin):    {"base", "sessions": [{"name", "login": {"path","username","password","totp"?,"totpSecret"?} | null,
//                  "pages": [{"path","name","status"?}], "journeys": [{"name","steps":[...]}]}]}
// Result (stdout): {"pages": [{"session","name","path","status","violations"}],
//                  "journeys": [{"session","name","ok","error"}], "summary": {"pages","violations","journeysFailed"}}
// Exit: 0 clean, 1 violations or failed journeys, 2 harness error. Human summary on stderr.
// Journey steps: {"goto"}, {"focus": selector}, {"press","times"?}, {"type"}, {"expectFocus"}, {"expectText"},
// {"expectNoText"}, {"expectUrl"}, {"expectTitle": regex}, {"expectClasses": "a b", "absent"?: "c d"} (on <html>),
// {"axe": true}.
// Axe results of {"axe": true} steps are reported in "pages" as "<journey>@step<i>".
import { existsSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const NAV_TIMEOUT = 30_000;
const MAX_NODES = 10;

class HarnessError extends Error {}
const trunc = (s, n = 300) => (s == null ? s : (s = String(s)).length > n ? s.slice(0, n) + '…' : s);
const decoded = (u) => { try { return decodeURI(u); } catch { return u; } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function loadDeps() {
  try {
    const { chromium } = await import('playwright-core');
    const { default: AxeBuilder } = await import('@axe-core/playwright');
    return { chromium, AxeBuilder };
  } catch (e) {
    throw new HarnessError(`cannot load npm dependencies (${e.message}); run scripts/install-test-deps`);
  }
}

function readJob() {
  let job;
  try {
    job = JSON.parse(readFileSync(0, 'utf8'));
  } catch (e) {
    throw new HarnessError(`invalid job JSON on stdin: ${e.message}`);
  }
  if (typeof job?.base !== 'string' || !Array.isArray(job.sessions)) {
    throw new HarnessError('job needs "base" (string) and "sessions" (array)');
  }
  return job;
}

async function runAxe(AxeBuilder, page) {
  const res = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return res.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodeCount: v.nodes.length,
    nodes: v.nodes.slice(0, MAX_NODES).map((n) => ({ target: n.target, failureSummary: trunc(n.failureSummary) })),
  }));
}

// Horizontal scrolling at 360×640 (WCAG 1.4.10 Reflow); names the outermost overflowing elements.
async function reflowViolation(page) {
  const r = await page.evaluate(() => {
    const de = document.documentElement, limit = de.clientWidth + 1;
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      [...el.classList].slice(0, 2).map((c) => '.' + c).join('');
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > limit &&
        !(el.parentElement && el.parentElement.getBoundingClientRect().right > limit))
      .slice(0, 5).map(name);
    return { scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, culprits };
  });
  if (r.scrollWidth <= r.clientWidth + 1) return null;
  return {
    id: 'reflow-360', impact: 'serious',
    help: `Page scrolls horizontally at 360×640 (scrollWidth ${r.scrollWidth} > clientWidth ${r.clientWidth})`,
    helpUrl: 'https://www.w3.org/WAI/WCAG21/Understanding/reflow.html',
    nodeCount: r.culprits.length,
    nodes: r.culprits.map((c) => ({ target: [c], failureSummary: 'Extends past the right edge of the viewport' })),
  };
}

// Tables as a low-vision reader meets them (issue 22): no number, date or ID is broken over two
// lines, a cell of class num/date/id keeps to one line, no cell whose text wraps is narrower than
// four characters, and a table wider than the screen scrolls in its own focusable, labelled
// region. `label` names the viewport ("360" or "200%").
async function tableViolations(page, label) {
  const r = await page.evaluate(() => {
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      [...el.classList].slice(0, 2).map((c) => '.' + c).join('');
    const where = (cell) => {
      const t = cell.closest('table');
      const cap = t?.querySelector('caption')?.textContent?.trim() ?? '';
      return `${name(cell)} "${cell.textContent.trim().slice(0, 30)}" in table ${cap.slice(0, 20)}`;
    };
    // The distinct lines a range's boxes sit on.
    const lines = (range) => {
      const tops = [];
      for (const b of range.getClientRects()) {
        if (b.width === 0 && b.height === 0) continue;
        if (!tops.some((t) => Math.abs(t - b.top) < b.height / 2)) tops.push(b.top);
      }
      return tops.length;
    };
    const broken = [], splitCells = [], narrow = [], unlabelled = [];
    const token = /\d[\d.,:%*Xx\/\-]*[\d%*Xx]/g;
    for (const cell of document.querySelectorAll('td, th')) {
      if (cell.getClientRects().length === 0) continue; // not shown (a closed <details>)
      const text = cell.textContent.trim();
      if (!text) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (const m of n.data.matchAll(token)) {
          const range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          if (lines(range) > 1) broken.push(`"${m[0]}" ${where(cell)}`);
        }
      }
      const all = document.createRange();
      all.selectNodeContents(cell);
      const wraps = lines(all) > 1;
      if (wraps && cell.matches('.num, .date, .id')) splitCells.push(where(cell));
      const cs = getComputedStyle(cell);
      const content = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (wraps && content < 4 * parseFloat(cs.fontSize) - 1) narrow.push(`${Math.round(content)}px ${where(cell)}`);
    }
    for (const el of document.querySelectorAll('table')) {
      const box = el.parentElement;
      if (!box || box.scrollWidth <= box.clientWidth + 1) continue;
      const by = box.getAttribute('aria-labelledby');
      const label = by ? by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join('').trim() : '';
      if (box.getAttribute('role') !== 'region' || box.getAttribute('tabindex') !== '0' || !label ||
          getComputedStyle(box).overflowX !== 'auto') unlabelled.push(name(box));
    }
    return { broken, splitCells, narrow, unlabelled };
  });
  const out = [];
  const add = (id, help, list) => {
    if (list.length) out.push({ id: `${id}-${label}`, impact: 'serious', help: `${help} (${label})`, helpUrl: null,
      nodeCount: list.length, nodes: list.slice(0, MAX_NODES).map((t) => ({ target: [t], failureSummary: help })) });
  };
  add('table-broken-number', 'A number, date or ID in a table cell is broken over two lines', r.broken);
  add('table-split-cell', 'A num/date/id table cell takes more than one line', r.splitCells);
  add('table-narrow-cell', 'A table cell whose text wraps is narrower than four characters', r.narrow);
  add('table-scroll-region', 'A table wider than its box does not scroll in a focusable, labelled region', r.unlabelled);
  return out;
}

const problem = (id, help) => ({ id, impact: 'critical', help, helpUrl: null, nodeCount: 0, nodes: [] });

async function checkPage(ctx, AxeBuilder, base, session, spec, loginPath) {
  const url = new URL(spec.path, base).href;
  const out = { session, name: spec.name ?? spec.path, path: spec.path, status: null, violations: [] };
  const page = await ctx.newPage();
  try {
    const resp = await page.goto(url);
    out.status = resp ? resp.status() : null;
    const ok = spec.status != null ? out.status === spec.status : out.status != null && out.status < 400;
    if (!ok) out.violations.push(problem('http-status', `Expected ${spec.status ?? 'status < 400'}, got ${out.status}`));
    const landed = new URL(page.url()).pathname;
    if (loginPath && landed === loginPath && new URL(url).pathname !== loginPath) {
      out.violations.push(problem('login-redirect', `Redirected to the login page ${page.url()} (session lost?)`));
    }
    out.violations.push(...(await runAxe(AxeBuilder, page)));
    await page.setViewportSize({ width: 360, height: 640 });
    await page.goto(url);
    const reflow = await reflowViolation(page);
    if (reflow) out.violations.push(reflow);
    out.violations.push(...(await tableViolations(page, '360')));
    // 200% zoom of the 1280×800 window: the same page laid out in 640×400 CSS px.
    await page.setViewportSize({ width: 640, height: 400 });
    out.violations.push(...(await tableViolations(page, '200%')));
  } catch (e) {
    out.violations.push(problem('page-load', `Could not check ${url}: ${trunc(e.message.split('\n')[0])}`));
  } finally {
    await page.close();
  }
  return out;
}

// Run a keyboard action; if it starts a main-frame navigation, wait for the new document to load.
async function keyboardAction(page, action) {
  let navigating = false, loaded = false;
  const onRequest = (r) => { if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigating = true; };
  const onLoad = () => { loaded = true; };
  page.on('request', onRequest);
  page.on('load', onLoad);
  try {
    await action();
    await sleep(300); // a form submission or link activation starts its request within this window
    const deadline = Date.now() + NAV_TIMEOUT;
    while (navigating && !loaded) {
      if (Date.now() > deadline) throw new Error('navigation started by the key press did not finish loading');
      await sleep(50);
    }
  } finally {
    page.off('request', onRequest);
    page.off('load', onLoad);
  }
}

// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) for accounts with two-step verification. Each step is
// used once per secret (the server refuses a replayed code), waiting for the next step if needed.
// The server accepts the steps now-1…now+1 when it checks; the previous step is used only in a
// step's first 20 s, so that a step boundary crossed between making the code and the server
// checking it cannot make the code too old.
const lastStep = new Map();
function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of s.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}
async function totpCode(secret) {
  for (;;) {
    const t = Date.now();
    const now = Math.floor(t / 30000);
    const lowest = t % 30000 < 20000 ? now - 1 : now;
    const step = Math.max(lowest, (lastStep.get(secret) ?? -1) + 1);
    if (step <= now + 1) {
      lastStep.set(secret, step);
      const msg = Buffer.alloc(8);
      msg.writeBigUInt64BE(BigInt(step));
      const h = createHmac('sha1', base32(secret)).update(msg).digest();
      const o = h[19] & 0x0f;
      const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
      return String(bin % 1_000_000).padStart(6, '0');
    }
    await sleep(1000);
  }
}

async function login(ctx, base, spec) {
  const page = await ctx.newPage();
  try {
    const loginUrl = new URL(spec.path, base);
    const resp = await page.goto(loginUrl.href);
    if (!resp || resp.status() >= 400) throw new Error(`login page ${spec.path} returned HTTP ${resp?.status()}`);
    await page.fill('input[name=username]', spec.username ?? '');
    await page.fill('input[name=password]', spec.password ?? '');
    if (spec.totp != null) await page.fill('input[name=totp]', String(spec.totp));
    if (spec.totpSecret != null) await page.fill('input[name=totp]', await totpCode(spec.totpSecret));
    await page.focus('input[name=password]');
    await keyboardAction(page, () => page.keyboard.press('Enter'));
    const stillThere = new URL(page.url()).pathname === loginUrl.pathname ||
      (await page.locator('input[name=password]').count()) > 0;
    if (stillThere) {
      const msg = await page.locator('[role=alert], .error, .flash').allInnerTexts().catch(() => []);
      throw new Error(`still on the login page (${page.url()}) after submitting` +
        (msg.length ? `; page says: ${trunc(msg.join(' | '), 200)}` : ''));
    }
  } finally {
    await page.close();
  }
}

// Re-checks an expectation until it holds or 5 s pass, riding out a navigation in progress.
async function poll(page, check, failure) {
  const deadline = Date.now() + 5000;
  let last = null;
  for (;;) {
    try {
      await page.waitForLoadState('load');
      if (await check()) return;
      last = null;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(failure + (last ? ` (${last.message})` : ''));
    await sleep(100);
  }
}

async function runStep(page, AxeBuilder, base, step, onAxe) {
  if (step.goto != null) {
    const resp = await page.goto(new URL(step.goto, base).href);
    const status = resp?.status();
    if (step.status != null ? status !== step.status : !(status < 400)) throw new Error(`HTTP ${status}`);
  } else if (step.press != null) {
    for (let i = 0; i < (step.times ?? 1); i++) await keyboardAction(page, () => page.keyboard.press(step.press));
  } else if (step.focus != null) {
    await page.focus(step.focus);
  } else if (step.type != null) {
    await keyboardAction(page, () => page.keyboard.type(String(step.type)));
  } else if (step.setFile != null) {
    // A file chosen for an <input type=file> (the system's file dialog is outside the page;
    // the input is then submitted with the keyboard like any other field).
    await page.setInputFiles(step.setFile, {
      name: step.fileName ?? 'upload.csv',
      mimeType: step.mimeType ?? 'text/csv',
      buffer: Buffer.from(String(step.fileContent ?? ''), 'utf8'),
    });
  } else if (step.reloadUntil != null) {
    // A page that shows background work (an import): reload until its text says it is done.
    const deadline = Date.now() + 15000;
    for (;;) {
      const text = await page.evaluate(() => document.body?.innerText ?? '');
      if (text.includes(step.reloadUntil)) break;
      if (Date.now() > deadline) throw new Error(`page text never contained ${JSON.stringify(step.reloadUntil)}`);
      await new Promise((r) => setTimeout(r, 200));
      await page.reload();
    }
  } else if (step.expectFocus != null) {
    await poll(page, () => page.evaluate((sel) => !!document.activeElement?.matches(sel), step.expectFocus),
      `focused element does not match ${JSON.stringify(step.expectFocus)}`);
  } else if (step.expectText != null) {
    await poll(page, async () => (await page.evaluate(() => document.body?.innerText ?? '')).includes(step.expectText),
      `page text does not contain ${JSON.stringify(step.expectText)}`);
  } else if (step.expectNoText != null) {
    await poll(page, async () => !(await page.evaluate(() => document.body?.innerText ?? '')).includes(step.expectNoText),
      `page text contains ${JSON.stringify(step.expectNoText)}`);
  } else if (step.expectTitle != null) {
    const re = new RegExp(step.expectTitle);
    await poll(page, async () => re.test(await page.title()), `title does not match /${step.expectTitle}/`);
  } else if (step.expectClasses != null) {
    const want = String(step.expectClasses).split(/\s+/).filter(Boolean);
    const absent = String(step.absent ?? '').split(/\s+/).filter(Boolean);
    await poll(page, () => page.evaluate(([w, a]) => {
      const cl = document.documentElement.classList;
      return w.every((c) => cl.contains(c)) && !a.some((c) => cl.contains(c));
    }, [want, absent]), `<html> classes are not ${JSON.stringify(want)} without ${JSON.stringify(absent)}`);
  } else if (step.expectUrl != null) {
    const re = new RegExp(step.expectUrl);
    await poll(page, async () => re.test(page.url()), `URL does not match /${step.expectUrl}/`);
  } else if (step.axe) {
    onAxe(await runAxe(AxeBuilder, page));
  } else {
    throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
}

async function runJourney(ctx, AxeBuilder, base, session, journey, pages) {
  const page = await ctx.newPage();
  const steps = journey.steps ?? [];
  try {
    for (let i = 0; i < steps.length; i++) {
      const onAxe = (violations) => {
        const u = new URL(page.url());
        pages.push({ session, name: `${journey.name}@step${i}`, path: decoded(u.pathname + u.search), status: null, violations });
      };
      try {
        await runStep(page, AxeBuilder, base, steps[i], onAxe);
      } catch (e) {
        const focused = await page.evaluate(() => document.activeElement?.outerHTML ?? '(none)').catch(() => '(unknown)');
        return { session, name: journey.name, ok: false,
          error: `step ${i} ${JSON.stringify(steps[i])} failed: ${trunc(e.message.split('\n')[0])}; ` +
            `url=${page.url()}; focused=${trunc(focused.replace(/\s+/g, ' '), 200)}` };
      }
    }
    return { session, name: journey.name, ok: true, error: null };
  } finally {
    await page.close();
  }
}

async function main() {
  const job = readJob();
  const { chromium, AxeBuilder } = await loadDeps();
  if (!existsSync(CHROMIUM)) throw new HarnessError(`Chromium not found at ${CHROMIUM}; run scripts/install-test-deps`);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (e) {
    throw new HarnessError(`cannot launch ${CHROMIUM}: ${e.message.split('\n')[0]}; run scripts/install-test-deps`);
  }
  const pages = [], journeys = [];
  try {
    for (const s of job.sessions) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      ctx.setDefaultTimeout(15_000);
      ctx.setDefaultNavigationTimeout(NAV_TIMEOUT);
      const loginPath = s.login ? new URL(s.login.path, job.base).pathname : null;
      try {
        if (s.login) {
          try {
            await login(ctx, job.base, s.login);
          } catch (e) {
            journeys.push({ session: s.name, name: 'login', ok: false, error: `login failed: ${trunc(e.message.split('\n')[0])}` });
            continue;
          }
        }
        for (const p of s.pages ?? []) {
          pages.push(await checkPage(ctx, AxeBuilder, job.base, s.name, p, loginPath));
        }
        for (const j of s.journeys ?? []) journeys.push(await runJourney(ctx, AxeBuilder, job.base, s.name, j, pages));
      } finally {
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
  }
  const summary = {
    pages: pages.length,
    violations: pages.reduce((n, p) => n + p.violations.length, 0),
    journeysFailed: journeys.filter((j) => !j.ok).length,
  };
  process.stdout.write(JSON.stringify({ pages, journeys, summary }, null, 2) + '\n');
  for (const p of pages) {
    const ids = p.violations.map((v) => v.id).join(', ');
    console.error(`${ids ? 'FAIL' : 'ok  '} [${p.session}] ${p.name} ${p.path}${ids ? ' → ' + ids : ''}`);
  }
  for (const j of journeys) console.error(`${j.ok ? 'ok  ' : 'FAIL'} [${j.session}] journey ${j.name}${j.ok ? '' : ': ' + j.error}`);
  console.error(`axe: ${summary.pages} pages, ${summary.violations} violations, ${summary.journeysFailed} failed journeys`);
  return summary.violations === 0 && summary.journeysFailed === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e) => {
  console.error(`axe harness error: ${e instanceof HarnessError ? e.message : e.stack}`);
  if (!(e instanceof HarnessError)) console.error('(if the browser or npm packages are missing, run scripts/install-test-deps)');
  process.exitCode = 2;
});
