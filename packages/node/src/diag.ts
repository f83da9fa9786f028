import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';

/**
 * Makes warnings visible: a console logger at WARN unless the user configures diag
 * (OTEL_LOG_LEVEL is then applied by the NodeSDK) or passes `false`.
 */
export function setupDiag(logger: DiagLogger | false | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (logger === false) return;
  if (logger !== undefined) {
    diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
    return;
  }
  if (env['OTEL_LOG_LEVEL'] !== undefined) return;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}
