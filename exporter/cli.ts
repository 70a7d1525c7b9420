#!/usr/bin/env node
/** `ciliumscope-exporter`: loads the configuration, starts the exporter, stops cleanly on SIGINT/SIGTERM. */
import { startExporter } from './app';
import { ConfigError, loadConfig } from './config/config';
import { renderHelp } from './config/options';
import { createLogger } from './log';
import { VERSION } from './version';

export async function main(argv = process.argv.slice(2), env = process.env): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig({ argv, env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ciliumscope-exporter: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (loaded.kind === 'help') {
    process.stdout.write(renderHelp('ciliumscope-exporter') + '\n');
    return 0;
  }
  if (loaded.kind === 'version') {
    process.stdout.write(`ciliumscope-exporter ${VERSION}\n`);
    return 0;
  }
  const config = loaded.config;
  const log = createLogger(config.logLevel);
  if (
    config.agents.length === 0 &&
    !config.operator &&
    !config.kube?.discover &&
    config.history.backend !== 'prometheus'
  ) {
    log.warn(
      'no targets: pass --agent NODE=URL (repeatable) and/or --operator URL, or --kubeconfig to discover them; serving an empty cluster'
    );
  }
  let exporter;
  try {
    exporter = await startExporter(config, { logger: log });
  } catch (err) {
    process.stderr.write(`ciliumscope-exporter: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(
    `ciliumscope-exporter ${VERSION}: metrics at ${exporter.url}/metrics, API at ${exporter.url}/api/v1/\n`
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      exporter.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`ciliumscope-exporter: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    }
  );
}
