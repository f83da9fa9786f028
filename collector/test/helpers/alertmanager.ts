import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startChild, tempDir, untilReady, type Child } from './processes.ts';
import { COLLECTOR_DIR, findTool, run } from './tools.ts';

export const CONFIGURE: string = join(COLLECTOR_DIR, 'alertmanager', 'configure.sh');

/** Runs configure.sh with only the given environment (and PATH); returns its config text. */
export async function configureAlertmanager(
  env: Record<string, string>,
): Promise<{ code: number; config: string; stderr: string }> {
  const result = await run('sh', [CONFIGURE], { env: { PATH: process.env['PATH'], ...env } });
  return { code: result.code, config: result.stdout, stderr: result.stderr };
}

/** A real Alertmanager on the loopback (clustering off). */
export interface AlertmanagerServer {
  readonly url: string;
  readonly child: Child;
  stop(): Promise<void>;
}

export async function startAlertmanager(config: string): Promise<AlertmanagerServer> {
  const dir = tempDir('alertmanager-server');
  const port = await freePort();
  writeFileSync(join(dir.path, 'alertmanager.yml'), config);
  const child = startChild(findTool('alertmanager'), [
    `--config.file=${join(dir.path, 'alertmanager.yml')}`,
    `--storage.path=${join(dir.path, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await untilReady('Alertmanager', `${url}/-/ready`, {}, child, dir);
  return {
    url,
    child,
    async stop(): Promise<void> {
      await child.stop();
      dir.cleanup();
    },
  };
}
