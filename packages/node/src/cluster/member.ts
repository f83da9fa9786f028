import { randomUUID } from 'node:crypto';
import { diag } from '@opentelemetry/api';
import { isHubMessage, type HubMessage, type MemberMessage } from './protocol.ts';
import type { WireSnapshot } from './wire.ts';

/** How a member talks to its hub. */
export interface MemberChannel {
  /** Resolves once the message has left this process (a worker may exit right after its goodbye). */
  send(message: MemberMessage): Promise<void> | void;
  /** Calls `receive` with every message from the hub; returns a function that stops listening. */
  listen(receive: (message: HubMessage) => void): () => void;
}

/**
 * The worker side: announces itself, answers each collect request with a snapshot of its own
 * collection and, on shutdown, sends its final totals so the hub keeps them exactly.
 */
export class HubMember {
  readonly id: string = randomUUID();
  readonly #label: string;
  readonly #channel: MemberChannel;
  readonly #collect: () => Promise<WireSnapshot>;
  readonly #stop: () => void;
  readonly #welcomed: Promise<boolean>;
  #welcome: (() => void) | undefined;
  #seq = 0;
  #latestRequest = 0;
  #answering: Promise<void> | undefined;
  #closed = false;

  constructor(label: string, channel: MemberChannel, collect: () => Promise<WireSnapshot>, welcomeMillis: number) {
    this.#label = label;
    this.#channel = channel;
    this.#collect = collect;
    let timer: NodeJS.Timeout | undefined;
    this.#welcomed = new Promise<boolean>((resolve) => {
      this.#welcome = () => resolve(true);
      timer = setTimeout(() => resolve(false), welcomeMillis);
      timer.unref();
    }).finally(() => clearTimeout(timer));
    this.#stop = channel.listen((message) => this.#receive(message));
    void this.#send('hello', 0, undefined);
  }

  /** Resolves true once a hub has answered, false when none did in time (no hub serves /metrics). */
  get welcomed(): Promise<boolean> {
    return this.#welcomed;
  }

  #receive(message: HubMessage): void {
    if (!isHubMessage(message) || this.#closed) return;
    this.#welcome?.();
    if (message.agentmeter === 'welcome') return;
    if (message.agentmeter === 'announce') {
      // A hub that started after this member.
      void this.#send('hello', 0, undefined);
      return;
    }
    // A request that arrives while a snapshot is being taken is answered by that snapshot.
    this.#latestRequest = Math.max(this.#latestRequest, message.request);
    this.#answering ??= this.#collect()
      .then(
        (snapshot) => this.#send('snapshot', this.#latestRequest, snapshot),
        (error: Error) =>
          diag.warn(`agentmeter: a worker could not collect its metrics for the merged /metrics (${error.message})`),
      )
      .finally(() => {
        this.#answering = undefined;
      });
  }

  async #send(type: MemberMessage['agentmeter'], request: number, snapshot: WireSnapshot | undefined): Promise<void> {
    try {
      await this.#channel.send({
        agentmeter: type,
        member: this.id,
        label: this.#label,
        seq: ++this.#seq,
        request,
        ...(snapshot === undefined ? {} : { snapshot }),
      });
    } catch (error) {
      diag.debug(`agentmeter: could not reach the metrics hub (${(error as Error).message})`);
    }
  }

  /** Sends the final totals (the hub keeps them after this member is gone) and stops listening. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#answering;
    const snapshot = await this.#collect().catch(() => undefined);
    await this.#send('bye', 0, snapshot);
    this.#stop();
  }
}
