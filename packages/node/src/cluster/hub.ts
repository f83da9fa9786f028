import { hrTime } from '@opentelemetry/core';
import { diag } from '@opentelemetry/api';
import type { CollectionResult, MetricProducer } from '@opentelemetry/sdk-metrics';
import { Merger, type MergePolicy, type MergeSource } from './merge.ts';
import type { MemberMessage } from './protocol.ts';
import { encodeSnapshot, isWireSnapshot, type WireSnapshot } from './wire.ts';

/** How the hub reaches its members: node:cluster IPC, or a BroadcastChannel to worker threads. */
export interface HubTransport {
  /** Asks the members it can reach for a snapshot answering `request`. */
  ask(request: number): void;
  close(): void;
}

interface Member {
  readonly id: string;
  label: string;
  /** Answered recently; a member that misses two requests in a row is no longer waited for. */
  live: boolean;
  misses: number;
  seq: number;
  snapshot: WireSnapshot | undefined;
}

interface Pending {
  readonly request: number;
  readonly waiting: Set<string>;
  resolve(): void;
}

export interface HubOptions {
  /** This process's own collection (its SDK reader and the meter's producer). */
  readonly local: () => Promise<CollectionResult>;
  readonly policy: MergePolicy;
  /** How long a scrape waits for the members' snapshots. */
  readonly timeoutMillis: number;
  /** The `worker` label of this process's own per-worker series once it has members. */
  readonly localLabel: () => string;
}

/** Silent members kept apart, so each can still come back; beyond this the oldest are folded into the totals. */
const MAX_SILENT = 256;

/**
 * Serves one merged collection for this process and its members: at each collection it asks
 * them for snapshots (with a time limit), merges them with its own and keeps every member's last
 * totals, so a worker that exits or stops answering still counts and counters never go back.
 */
export class MetricsHub implements MetricProducer {
  readonly #options: HubOptions;
  readonly #members = new Map<string, Member>();
  readonly #transports: HubTransport[] = [];
  /** The summed totals of members known to be gone. */
  #departed: WireSnapshot | undefined;
  #request = 0;
  #pending: Pending | undefined;
  #collecting: Promise<{ sources: MergeSource[]; errors: unknown[]; local: CollectionResult }> | undefined;
  readonly #warned = new Set<string>();

  constructor(options: HubOptions) {
    this.#options = options;
  }

  attach(transport: HubTransport): void {
    this.#transports.push(transport);
  }

  /** Whether any member has ever reported (until then the hub passes its own collection through). */
  get merging(): boolean {
    return this.#members.size > 0 || this.#departed !== undefined;
  }

  receive(message: MemberMessage): void {
    if (message.snapshot !== undefined && !isWireSnapshot(message.snapshot)) {
      this.#warnOnce(
        `a message from worker ${message.label.slice(0, 40)} looked like agentmeter's but its snapshot was malformed; it was ignored`,
      );
      return;
    }
    let member = this.#members.get(message.member);
    if (member === undefined) {
      // A member folded as departed never comes back: its totals are already in #departed.
      if (message.agentmeter === 'hello' || message.snapshot !== undefined) {
        member = { id: message.member, label: message.label, live: true, misses: 0, seq: -1, snapshot: undefined };
        this.#members.set(member.id, member);
      } else return;
    }
    member.live = true;
    member.misses = 0;
    if (message.snapshot !== undefined && message.seq > member.seq) {
      member.seq = message.seq;
      member.snapshot = message.snapshot;
    }
    const pending = this.#pending;
    if (
      pending !== undefined &&
      message.request === pending.request &&
      pending.waiting.delete(member.id) &&
      pending.waiting.size === 0
    ) {
      pending.resolve();
    }
    if (message.agentmeter === 'bye') this.depart([member.id]);
  }

  /** Members that are gone for good (their process or thread exited): their totals are kept, summed. */
  depart(ids: Iterable<string>): void {
    for (const id of ids) {
      const member = this.#members.get(id);
      if (member === undefined) continue;
      this.#members.delete(id);
      this.#pending?.waiting.delete(id);
      if (member.snapshot !== undefined) this.#fold(member.snapshot);
    }
    if (this.#pending?.waiting.size === 0) this.#pending.resolve();
  }

  #fold(snapshot: WireSnapshot): void {
    const merger = new Merger(this.#options.policy);
    if (this.#departed !== undefined) merger.add({ label: undefined, live: false, snapshot: this.#departed });
    merger.add({ label: undefined, live: false, snapshot });
    this.#departed = merger.snapshot();
  }

  async collect(): Promise<CollectionResult> {
    const { sources, errors, local } = await this.#gather();
    if (sources.length === 1) return local;
    const merger = this.#merge(sources);
    const resourceMetrics = merger.resourceMetrics(local.resourceMetrics.resource);
    this.#warnAbout(merger);
    return { resourceMetrics, errors };
  }

  /** The merged collection as one snapshot, for a hub that is itself a member of another. */
  async collectSnapshot(): Promise<{ snapshot: WireSnapshot; errors: unknown[] }> {
    const { sources, errors } = await this.#gather();
    if (sources.length === 1) return { snapshot: sources[0]!.snapshot, errors };
    return { snapshot: this.#merge(sources).snapshot(), errors };
  }

  #merge(sources: readonly MergeSource[]): Merger {
    const merger = new Merger(this.#options.policy);
    for (const source of sources) merger.add(source);
    this.#warnAbout(merger);
    return merger;
  }

  #warnAbout(merger: Merger): void {
    if (merger.mismatched > 0) {
      this.#warnOnce(
        `${merger.mismatched} histogram series had other bucket boundaries in another worker and were left out of the merge; give every worker the same buckets`,
      );
    }
    if (merger.malformed > 0)
      this.#warnOnce(`${merger.malformed} malformed data points from a worker were left out of the merge`);
  }

  #warnOnce(message: string): void {
    const kind = message.replace(/\d+/g, '#');
    if (this.#warned.has(kind)) return;
    this.#warned.add(kind);
    diag.warn(`agentmeter: ${message}`);
  }

  /** One gathering at a time: scrapes that arrive meanwhile share it. */
  #gather(): Promise<{ sources: MergeSource[]; errors: unknown[]; local: CollectionResult }> {
    this.#collecting ??= this.#gatherOnce().finally(() => {
      this.#collecting = undefined;
    });
    return this.#collecting;
  }

  async #gatherOnce(): Promise<{ sources: MergeSource[]; errors: unknown[]; local: CollectionResult }> {
    const merging = this.merging;
    const [local] = await Promise.all([this.#options.local(), merging ? this.#askMembers() : undefined]);
    const errors = [...local.errors];
    const own: MergeSource = {
      label: merging ? this.#options.localLabel() : undefined,
      live: true,
      snapshot: encodeSnapshot(local.resourceMetrics, hrTime()),
    };
    const sources: MergeSource[] = [own];
    if (this.#departed !== undefined) sources.push({ label: undefined, live: false, snapshot: this.#departed });
    for (const member of this.#members.values()) {
      if (member.snapshot !== undefined)
        sources.push({ label: member.label, live: member.live, snapshot: member.snapshot });
    }
    this.#bound();
    return { sources, errors, local };
  }

  async #askMembers(): Promise<void> {
    const request = ++this.#request;
    const waiting = new Set<string>();
    for (const member of this.#members.values()) if (member.live) waiting.add(member.id);
    if (waiting.size === 0) {
      for (const transport of this.#transports) transport.ask(request);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#pending = { request, waiting, resolve };
      timer = setTimeout(resolve, this.#options.timeoutMillis);
      for (const transport of this.#transports) transport.ask(request);
    });
    clearTimeout(timer);
    this.#pending = undefined;
    for (const id of waiting) {
      const member = this.#members.get(id);
      if (member !== undefined && ++member.misses >= 2) member.live = false;
    }
  }

  /** Keeps memory bounded when threads come and go without saying goodbye. */
  #bound(): void {
    const silent = [...this.#members.values()].filter((member) => !member.live);
    for (const member of silent.slice(0, Math.max(0, silent.length - MAX_SILENT))) this.depart([member.id]);
  }

  close(): void {
    for (const transport of this.#transports) transport.close();
    this.#transports.length = 0;
    this.#pending?.resolve();
  }
}
