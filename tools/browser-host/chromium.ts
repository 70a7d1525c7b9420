/** Debian's Chromium through playwright-core, headless, with nothing that reaches the network. */
import { existsSync } from 'fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ASSETS_ONLY_GRAFANA_SERVES } from './build';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install it with "apt-get install -y chromium"`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Collects what went wrong on a host page: uncaught errors, console errors and failed responses. grafanaBootData is
 * unset outside Grafana; @grafana/runtime says so once, harmlessly. Failed requests are reported with their URL,
 * except assets only Grafana serves and URLs matching `expectedFailures`.
 */
export function collectPageErrors(page: Page, expectedFailures?: RegExp): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/grafanaBootData|Failed to load resource/.test(message.text())) {
      errors.push(message.text());
    }
  });
  page.on('response', (response) => {
    const url = response.url();
    if (response.status() >= 400 && !ASSETS_ONLY_GRAFANA_SERVES.test(url) && !expectedFailures?.test(url)) {
      errors.push(`HTTP ${response.status()} for ${url}`);
    }
  });
  return errors;
}
