/**
 * Type-checks the plugin's source against one Grafana release's @grafana/* declarations (and the React and RxJS
 * types beside them), with the project's own compiler options: an API the plugin names that this release lacks, or
 * a prop it does not take, is a compile error here before it is a blank editor in that Grafana.
 */
import { existsSync } from 'fs';
import { join } from 'path';
import ts from 'typescript';

import { REPO_ROOT } from './build';

const RELEASE_PACKAGES = ['@grafana/data', '@grafana/ui', '@grafana/runtime', '@grafana/schema', 'rxjs'];

/** Compiler diagnostics, one line each (`file(line,col): message`); empty when src/ compiles. */
export function typecheckPluginAgainst(nodeModules: string): string[] {
  const configFile = join(REPO_ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
  if (read.error) {
    throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  }
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, REPO_ROOT, undefined, configFile);
  const paths: Record<string, string[]> = {};
  for (const name of RELEASE_PACKAGES) {
    paths[name] = [join(nodeModules, name)];
  }
  const reactTypes = join(nodeModules, '@types', 'react');
  if (existsSync(reactTypes)) {
    paths.react = [reactTypes];
    paths['react/*'] = [join(reactTypes, '*')];
  }
  const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true, paths });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file || d.start === undefined) {
      return message;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.replace(`${REPO_ROOT}/`, '')}(${line + 1},${character + 1}): ${message}`;
  });
}
