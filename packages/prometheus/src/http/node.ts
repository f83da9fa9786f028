import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { EndpointRequest, EndpointResponse } from './routes.ts';

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Adapts a node:http (or Express) request. Express strips its mount path from `req.url`. */
export function nodeRequest(request: IncomingMessage): EndpointRequest {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return {
    method: request.method ?? 'GET',
    path: query === -1 ? url : url.slice(0, query),
    header: (name) => single(request.headers[name]),
  };
}

/** Writes an answer; without one, passes to Express's `next` or answers 404. */
export function writeNodeResponse(
  answer: EndpointResponse | undefined,
  response: ServerResponse,
  next?: (error?: unknown) => void,
  error?: unknown,
): void {
  try {
    if (error !== undefined) diag.error('@agentmeter/prometheus: request failed', error);
    if (answer === undefined && error === undefined && next !== undefined) {
      next();
      return;
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    const status = answer?.status ?? (error === undefined ? 404 : 500);
    response.writeHead(status, answer?.headers ?? { 'content-type': 'text/plain; charset=utf-8' });
    response.end(answer?.body ?? (status === 404 ? 'Not Found\n' : 'Internal Server Error\n'));
  } catch (writeError) {
    diag.error('@agentmeter/prometheus: cannot write the response', writeError);
  }
}
