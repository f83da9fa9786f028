export { startLoopbackServer } from './server.ts';
export type { LoopbackServer, RouteHandler } from './server.ts';
