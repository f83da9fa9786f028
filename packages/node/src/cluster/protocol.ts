import type { WireSnapshot } from './wire.ts';

/** What a member (a cluster worker or a worker thread) sends to the hub that serves /metrics. */
export interface MemberMessage {
  readonly agentmeter: 'hello' | 'snapshot' | 'bye';
  /** Unique per start(), so a restarted worker is a new member and is never counted twice. */
  readonly member: string;
  /** The `worker` label of its per-worker series. */
  readonly label: string;
  /** Grows with every snapshot the member sends; a late reply never replaces a newer one. */
  readonly seq: number;
  /** The collect request this snapshot answers (0 when unasked). */
  readonly request: number;
  readonly snapshot?: WireSnapshot;
}

/**
 * What the hub sends to its members: `welcome` answers a hello, `announce` tells members that
 * started before the hub to say hello, `collect` asks for a snapshot.
 */
export interface HubMessage {
  readonly agentmeter: 'welcome' | 'announce' | 'collect';
  readonly request: number;
}

const MEMBER_TYPES = new Set(['hello', 'snapshot', 'bye']);
const HUB_TYPES = new Set(['welcome', 'announce', 'collect']);

export function isMemberMessage(message: unknown): message is MemberMessage {
  const candidate = message as Partial<MemberMessage> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    MEMBER_TYPES.has(candidate.agentmeter as string) &&
    typeof candidate.member === 'string' &&
    typeof candidate.label === 'string' &&
    typeof candidate.seq === 'number'
  );
}

export function isHubMessage(message: unknown): message is HubMessage {
  const candidate = message as Partial<HubMessage> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    HUB_TYPES.has(candidate.agentmeter as string) &&
    typeof candidate.request === 'number'
  );
}
