import cluster from 'node:cluster';
import { isMainThread, threadId } from 'node:worker_threads';
import { hrTime } from '@opentelemetry/core';
import { diag } from '@opentelemetry/api';
import {
  AggregationTemporality,
  MetricReader,
  type CollectionResult,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { MetricsHub } from './hub.ts';
import { HubMember } from './member.ts';
import { mergePolicy, type MergePolicy } from './merge.ts';
import { hubSocketPath, socketHubTransport, socketMemberChannel } from './socket.ts';
import { clusterHubTransport, clusterMemberChannel, threadHubTransport, threadMemberChannel } from './transports.ts';
import { encodeSnapshot } from './wire.ts';

/** Reads this process's SDK instruments and the meter's cells, for the hub (never exported by itself). */
class LocalReader extends MetricReader {
  constructor(producers: MetricProducer[]) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers: producers });
  }

  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface MergeSettings {
  /** false: every process serves its own /metrics (no merge). */
  readonly enabled: boolean;
  readonly timeoutMillis: number;
  readonly namespace: string;
  /** The configured /metrics port, from which a worker without a hub derives its own. */
  readonly port: number;
}

/** Where this process's /metrics is served: the configured port, a per-worker port, or nowhere (a member). */
export type Serving = { readonly port: number } | undefined;

export interface MetricsMerge {
  /** Registered with the SDK: this process's own collection. */
  readonly reader: MetricReader;
  /** What /metrics serves in this thread: this process merged with its workers and threads; none in a worker thread. */
  readonly producer: MetricProducer | undefined;
  /** Resolves to where to listen, once a worker knows whether a primary merges its data. */
  readonly serving: Promise<Serving>;
  /** Sends a member's final totals, stops listening; call before the SDK shuts down. */
  close(): Promise<void>;
}

/** A worker of PM2's cluster mode, whose primary is PM2's daemon (no agentmeter there). */
function pm2Instance(): string | undefined {
  const instance = process.env['NODE_APP_INSTANCE'];
  return cluster.isWorker && process.env['pm_id'] !== undefined && instance !== undefined && /^\d+$/.test(instance)
    ? instance
    : undefined;
}

/** The label of a cluster worker: PM2's instance number under PM2, else node:cluster's worker id. */
function workerLabel(): string {
  const instance = process.env['NODE_APP_INSTANCE'] ?? process.env['pm_id'];
  if (instance !== undefined && /^\d+$/.test(instance)) return instance;
  return String(cluster.worker?.id ?? process.pid);
}

let warnedNoMainHub = false;

/**
 * A member whose process or thread runs out of work hands over its final totals before it ends
 * (beforeExit allows async work); an abrupt end keeps the totals it last reported.
 */
function closeBeforeExit(member: HubMember): () => Promise<void> {
  const onBeforeExit = (): void => void member.close();
  process.once('beforeExit', onBeforeExit);
  return () => {
    process.off('beforeExit', onBeforeExit);
    return member.close();
  };
}

/** `primary` in a node:cluster primary with workers, else `main` (a process's main thread among its worker threads). */
function mainLabel(): string {
  return cluster.isPrimary && Object.keys(cluster.workers ?? {}).length > 0 ? 'primary' : 'main';
}

/**
 * Sets up the merge for the role of this thread: the primary (or a plain process) serves the
 * merged /metrics; a cluster worker answers the primary and serves its own threads; a worker
 * thread answers the main thread. A worker that no primary welcomes serves its own port.
 */
export function createMetricsMerge(settings: MergeSettings, producers: MetricProducer[]): MetricsMerge {
  const reader = new LocalReader(producers);
  const local = () => reader.collect();
  const policy = mergePolicy(settings.namespace);
  if (!settings.enabled) {
    const hub = new MetricsHub({ local, policy, timeoutMillis: settings.timeoutMillis, localLabel: mainLabel });
    // A cluster worker gets a port of its own: one port shared by all would answer for one worker at a time.
    const port = cluster.isWorker && settings.port !== 0 ? settings.port + Number(workerLabel()) : settings.port;
    return { reader, producer: hub, serving: Promise.resolve({ port }), close: async () => hub.close() };
  }
  if (!isMainThread) {
    const snapshot = async () => encodeSnapshot((await local()).resourceMetrics, hrTime());
    const member = new HubMember(`thread-${threadId}`, threadMemberChannel(), snapshot, settings.timeoutMillis);
    void member.welcomed.then((welcomed) => {
      if (welcomed || warnedNoMainHub) return;
      warnedNoMainHub = true;
      diag.warn(
        "agentmeter: start() in a worker thread found no start() in the main thread, so this thread's metrics are served nowhere; call start() in the main thread too",
      );
    });
    return { reader, producer: undefined, serving: Promise.resolve(undefined), close: closeBeforeExit(member) };
  }
  const pm2 = pm2Instance();
  if (pm2 !== undefined) return pm2Roles(pm2, settings, local, policy, reader);
  const hub = new MetricsHub({ local, policy, timeoutMillis: settings.timeoutMillis, localLabel: mainLabel });
  hub.attach(threadHubTransport(hub));
  if (cluster.isPrimary || process.send === undefined) {
    if (cluster.isPrimary) hub.attach(clusterHubTransport(hub));
    else warnNoChannel(settings.port);
    return {
      reader,
      producer: hub,
      serving: Promise.resolve({
        port: cluster.isPrimary || settings.port === 0 ? settings.port : settings.port + Number(workerLabel()),
      }),
      close: async () => hub.close(),
    };
  }
  const label = workerLabel();
  const member = new HubMember(
    label,
    clusterMemberChannel(),
    async () => (await hub.collectSnapshot()).snapshot,
    settings.timeoutMillis,
  );
  const closeMember = closeBeforeExit(member);
  const serving = member.welcomed.then((welcomed): Serving => {
    if (welcomed) return undefined;
    const port = settings.port === 0 ? 0 : settings.port + Number(label);
    diag.warn(
      `agentmeter: cluster worker ${label} got no answer from a primary running agentmeter, so its metrics cannot be merged; ` +
        `it serves its own /metrics on port ${port} (the configured port plus its worker number). Call start() in the primary to merge them into one /metrics.`,
    );
    return { port };
  });
  return {
    reader,
    producer: hub,
    serving,
    close: async () => {
      await closeMember();
      hub.close();
    },
  };
}

function warnNoChannel(port: number): void {
  diag.warn(
    `agentmeter: this cluster worker has no IPC channel to its primary, so its metrics cannot be merged; it serves its own /metrics on port ${port} plus its worker number`,
  );
}

/**
 * PM2 cluster mode: instance 0 serves the merged /metrics on the configured port (bound by
 * itself, not shared through PM2's daemon) and the others report to it over a local socket.
 */
function pm2Roles(
  instance: string,
  settings: MergeSettings,
  local: () => Promise<CollectionResult>,
  policy: MergePolicy,
  reader: MetricReader,
): MetricsMerge {
  const hub = new MetricsHub({ local, policy, timeoutMillis: settings.timeoutMillis, localLabel: () => instance });
  hub.attach(threadHubTransport(hub));
  const path = hubSocketPath(settings.port);
  if (instance === '0') {
    hub.attach(socketHubTransport(hub, path));
    return { reader, producer: hub, serving: Promise.resolve({ port: settings.port }), close: async () => hub.close() };
  }
  const member = new HubMember(
    instance,
    socketMemberChannel(path),
    async () => (await hub.collectSnapshot()).snapshot,
    settings.timeoutMillis,
  );
  const closeMember = closeBeforeExit(member);
  void member.welcomed.then((welcomed) => {
    if (!welcomed)
      diag.warn(
        `agentmeter: PM2 instance ${instance} cannot reach instance 0 at ${path} yet; it keeps trying, and its metrics join /metrics once instance 0 runs`,
      );
  });
  return {
    reader,
    producer: hub,
    serving: Promise.resolve(undefined),
    close: async () => {
      await closeMember();
      hub.close();
    },
  };
}
