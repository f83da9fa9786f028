import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { reuse } from './reuse.ts';
import { putRoute } from './routes.ts';
import { NODE_SCOPE } from './scope.ts';

/** The template of the routers a request has entered (`/shops/:shopId/orders`), on the request. */
const MOUNT: unique symbol = Symbol('agentmeter.express.mount');
type RoutedRequest = { [MOUNT]?: string };
type Handler = (req: RoutedRequest, res: unknown, next: (error?: unknown) => void) => unknown;
interface Layer {
  handle: Handler;
}
interface RouterProto {
  stack: Layer[];
  use: (...args: unknown[]) => unknown;
}
interface RouteProto {
  path: unknown;
  dispatch: (this: RouteProto, req: RoutedRequest, res: unknown, done: unknown) => unknown;
}
interface ExpressModule {
  Router: RouterProto & { prototype?: RouterProto };
  Route?: { prototype: RouteProto };
  [PATCHED]?: boolean;
}
const PATCHED: unique symbol = Symbol.for('agentmeter.express.routes');
/** Off after shutdown(): the wrappers stay (see init) but write nothing. */
const state = { labelling: false };

/** The path a `use()` call mounts at, when it is one template string. */
function mountPath(args: unknown[]): string | undefined {
  const first = args[0];
  return typeof first === 'string' && first !== '/' && first.startsWith('/') ? first.replace(/\/$/, '') : undefined;
}

/** Enters `path` while the mounted router or app handles the request, and leaves it when it calls next. */
function mounted(original: Handler, path: string): Handler {
  const handler: Handler = (req, res, next) => {
    if (!state.labelling) return original(req, res, next);
    const outer = req[MOUNT];
    req[MOUNT] = outer === undefined ? path : outer + path;
    return original(req, res, (error) => {
      req[MOUNT] = outer;
      next(error);
    });
  };
  // Routers are functions with state (stack, params); tools that list routes read it through the layer.
  for (const key in original) {
    Object.defineProperty(handler, key, {
      get: () => (original as unknown as Record<string, unknown>)[key],
      set: (value: unknown) => {
        (original as unknown as Record<string, unknown>)[key] = value;
      },
    });
  }
  return handler;
}

/**
 * http.route for Express 4 and 5 without spans or context: each matched route writes its full
 * template (mount paths included) on the request, where the HTTP metrics read it. Costs one
 * property write per routed request, and a closure per mounted router entered.
 */
export class ExpressRouteInstrumentation extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
    super(`${NODE_SCOPE.name}/express-routes`, NODE_SCOPE.version, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'express',
        ['>=4.0.0 <6'],
        (express: ExpressModule) => {
          state.labelling = true;
          // Wrapped once per module and never unwrapped: instrumentation-express (tracing mode) wraps
          // the same functions, and unwrapping out of order would drop its wrapper or ours.
          if (express[PATCHED] === true) return express;
          express[PATCHED] = true;
          const router =
            typeof express.Router.prototype?.use === 'function' ? express.Router.prototype : express.Router;
          const route = express.Route?.prototype;
          if (route !== undefined) {
            const dispatch = route.dispatch;
            // Route#dispatch(req, res, done) in Express 4 and 5: named parameters, no rest array per request.
            route.dispatch = function routeDispatch(this: RouteProto, req: RoutedRequest, res: unknown, done: unknown) {
              const path = this.path;
              if (state.labelling && typeof path === 'string') {
                const mount = req[MOUNT];
                putRoute(req, mount === undefined ? path : path === '/' ? mount : mount + path);
              }
              return dispatch.call(this, req, res, done);
            };
          }
          const use = router.use;
          router.use = function routerUse(this: RouterProto, ...args: unknown[]) {
            const before = this.stack.length;
            const result = use.apply(this, args);
            const path = mountPath(args);
            if (path !== undefined) {
              for (let i = before; i < this.stack.length; i++) {
                const layer = this.stack[i]!;
                if (layer.handle.length <= 3) layer.handle = mounted(layer.handle, path);
              }
            }
            return result;
          };
          return express;
        },
        () => {
          state.labelling = false;
        },
      ),
    ];
  }
}

export function createExpressRouteInstrumentation(): ExpressRouteInstrumentation {
  return reuse<ExpressRouteInstrumentation>('express-routes', {}, (config) => new ExpressRouteInstrumentation(config));
}
