import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs one of this package's scripts in a fresh Node process (the same binary as the test, with
 * --expose-gc and workspace sources) and parses the JSON line it prints last.
 */
export function runChild<T>(script: string, args: readonly string[], timeoutMs: number): Promise<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--conditions=@agentmeter/source', path, ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
          return;
        }
        const last = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(last) as T);
        } catch {
          reject(new Error(`${script} printed no JSON result:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}
