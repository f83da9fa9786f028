import { describe, expect, it } from 'vitest';
import { PausableLoad } from '../bench/pausable-load.ts';
import { cpuTimes, launch, SteadyLoad, toggle } from '../bench/service-process.ts';

// The load the toggle bench measures in windows: one set of connections from launch to the end.
describe('bench steady load', () => {
  it('measures windows of one uninterrupted load on the connections it opened at the start', async () => {
    const service = await launch('node:http', 'bare');
    const load = new SteadyLoad(service, 4);
    try {
      const first = await load.measure(0.3);
      const second = await load.measure(0.3);
      for (const window of [first, second]) {
        expect(window.requests).toBeGreaterThan(0);
        expect(window.rps).toBeGreaterThan(0);
        expect(Number.isFinite(window.cpuMicros) && window.cpuMicros > 0).toBe(true);
        expect(window.userMicros).toBeLessThanOrEqual(window.cpuMicros);
      }
    } finally {
      await load.stop();
      service.child.kill('SIGTERM');
    }
  });

  it('fails a window in which the service answered other than 2xx', async () => {
    // Express answers 404 for a path it has no route for.
    const express = await launch('express', 'bare', '/no-such-route');
    const load = new SteadyLoad(express, 2);
    try {
      await expect(load.measure(0.2)).rejects.toThrow(/non-2xx/);
    } finally {
      await load.stop();
      express.child.kill('SIGTERM');
    }
  });

  // The calibration rows of the toggle bench: each must answer every switch, or its crossover waits forever.
  it.each([
    'toggling nothing (A/A check)',
    "monitorEventLoopDelay alone, at start()'s resolution",
    "start()'s HTTP observer alone, the rest of start() staying on",
    "empty subscribers on the observer's two channels, the rest of start() staying on",
    'a new HTTP observer at each switch on, the rest of start() staying on',
    "start()'s own HTTP observer switched, its start() running throughout",
    "start(), the observer's two channels held active from launch by a subscriber that does nothing",
  ])('switches the %s variant on and off under load', async (variant) => {
    const service = await launch('express', variant, '/items/42', { toggled: true });
    const load = new SteadyLoad(service, 2);
    try {
      for (const on of [true, false, true, false]) {
        await toggle(service.child, on);
        expect((await load.measure(0.2)).requests).toBeGreaterThan(0);
      }
    } finally {
      await load.stop();
      service.child.kill('SIGTERM');
    }
  });

  // The capacity bench's observer-alone and empty-subscriber rows: switched on, they see every request; off, none.
  it.each([
    "start()'s HTTP observer alone, the rest of start() staying on",
    "empty subscribers on the observer's two channels, the rest of start() staying on",
    'a new HTTP observer at each switch on, the rest of start() staying on',
  ])('sees requests with the %s variant only while it is switched on', async (variant) => {
    const service = await launch('fastify', variant, '/items/42', { toggled: true });
    const load = new SteadyLoad(service, 2);
    try {
      await toggle(service.child, true);
      const on = await load.measure(0.3);
      const whileOn = (await cpuTimes(service.child)).observed;
      expect(whileOn).toBeGreaterThanOrEqual(on.requests);
      await toggle(service.child, false);
      await load.measure(0.1); // requests in flight at the switch finish uncounted or counted, not later
      const afterOff = (await cpuTimes(service.child)).observed;
      expect((await load.measure(0.3)).requests).toBeGreaterThan(0);
      expect((await cpuTimes(service.child)).observed).toBe(afterOff);
    } finally {
      await load.stop();
      service.child.kill('SIGTERM');
    }
  });

  // The paired bench's load: paused, its service answers nothing more; resumed, it goes on, on the same connections.
  it('pauses and resumes a load on the connections it opened at the start', async () => {
    const service = await launch('node:http', 'bare');
    const load = new PausableLoad(service, 4);
    try {
      await load.connected();
      const first = await load.measure(0.3);
      expect(first.requests).toBeGreaterThan(0);
      expect(first.serviceCores).toBeGreaterThan(0);
      expect(first.generatorCores).toBeGreaterThan(0);
      load.pause();
      await expect(load.measure(0.1)).rejects.toThrow(/resume/);
      await new Promise((resolve) => setTimeout(resolve, 100)); // answers in flight at the pause arrive
      const paused = await cpuTimes(service.child);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stillPaused = await cpuTimes(service.child);
      expect(stillPaused.connections).toBe(paused.connections);
      // An idle service spends at most a few milliseconds in 0.3 s (its timers); loaded, most of it.
      expect(stillPaused.cpuMicros - paused.cpuMicros).toBeLessThan(first.cpuMicros * first.requests);
      load.resume();
      const resumed = await load.measure(0.3);
      expect(resumed.requests).toBeGreaterThan(0);
      expect((await cpuTimes(service.child)).connections).toBe(paused.connections);
    } finally {
      await load.stop();
      service.child.kill('SIGTERM');
    }
  });
});
