/**
 * Real Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (no browser download), with
 * background networking off because this machine's network is closed. Plus axe-core, injected from node_modules.
 */
import './dispose-symbols';

import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      // The test server's certificate is a generated development one.
      '--ignore-certificate-errors',
    ],
  });
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[]; readonly html: string }[];
}

const AXE_SOURCE = (): string => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page (or on one frame's document) and returns the violations. */
export async function runAxe(page: Page, frameSelector?: string): Promise<AxeViolation[]> {
  const target = frameSelector ? page.frameLocator(frameSelector) : null;
  const frame = target
    ? await (await page.locator(frameSelector as string).elementHandle())?.contentFrame()
    : page.mainFrame();
  if (!frame) {
    throw new Error(`runAxe: no frame for ${frameSelector}`);
  }
  await frame.evaluate(AXE_SOURCE());
  return frame.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })),
    }));
  });
}

/** Serious and critical violations only: what the tests fail on. */
export const seriousViolations = (violations: readonly AxeViolation[]): AxeViolation[] =>
  violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** Where screenshots go for a person to look at (gitignored). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
