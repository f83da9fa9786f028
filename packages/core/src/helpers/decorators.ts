import type { AgentMeter, MeterDecorators, MethodDecorator } from '../types.ts';

/** Builds standard (TC39) method decorators that run each call through the meter's helpers. */
export function createDecorators(meter: Pick<AgentMeter, 'trackDbQuery' | 'trackExternalApi'>): MeterDecorators {
  return {
    trackDbOperation(operation: string, table?: string, dbSystem = 'other'): MethodDecorator {
      return (method) =>
        function (this: ThisParameterType<typeof method>, ...args: Parameters<typeof method>) {
          return meter.trackDbQuery({ db_system: dbSystem, operation, table }, () => method.apply(this, args));
        };
    },
    trackExternalApi(service: string, endpoint: string): MethodDecorator {
      return (method) =>
        function (this: ThisParameterType<typeof method>, ...args: Parameters<typeof method>) {
          return meter.trackExternalApi({ service, endpoint }, () => method.apply(this, args));
        };
    },
  };
}
