import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { COLLECTOR_DIR } from './tools.ts';

const SERVICE = join(COLLECTOR_DIR, 'test', 'fixtures', 'service.ts');

/** A service process (test/fixtures/service.ts) driven over IPC. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Sends a message and resolves with the next message of type `reply`. */
  request(message: { type: string; count?: number }, reply: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  let output = '';
  const child = fork(SERVICE, [], {
    execArgv: ['--conditions=@agentmeter/source', '--disable-warning=ExperimentalWarning'],
    env: { ...process.env, OTEL_LOG_LEVEL: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = (type: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: { type: string }): void => {
        if (message.type !== type) return;
        cleanup();
        resolve();
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`service exited before answering ${type}:\n${output}`));
      };
      const cleanup = (): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  await next('ready');
  return {
    child,
    async request(message, reply): Promise<void> {
      const answered = next(reply);
      child.send(message);
      await answered;
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null) return;
      child.disconnect();
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
