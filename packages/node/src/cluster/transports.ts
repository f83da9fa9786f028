import cluster, { type Worker } from 'node:cluster';
import { BroadcastChannel } from 'node:worker_threads';
import type { HubTransport, MetricsHub } from './hub.ts';
import type { MemberChannel } from './member.ts';
import { isHubMessage, isMemberMessage, type HubMessage, type MemberMessage } from './protocol.ts';

/** Worker threads ask and answer on two channels, so a thread never receives another thread's snapshot. */
const REQUESTS = 'agentmeter:metrics-requests';
const REPLIES = 'agentmeter:metrics-replies';

/** Posts on a BroadcastChannel (Node's, between threads: there is no window origin to name). */
function post(channel: BroadcastChannel, message: HubMessage | MemberMessage): void {
  // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a BroadcastChannel takes no target origin
  channel.postMessage(message);
}

function sendTo(worker: Worker, message: HubMessage): void {
  if (!worker.isConnected()) return;
  // A worker that is exiting may refuse the message; it is then folded as departed.
  worker.send(message, () => {});
}

/** The primary's side of node:cluster (and PM2 cluster mode): IPC messages to the workers that ran start(). */
export function clusterHubTransport(hub: MetricsHub): HubTransport {
  const membersOf = new Map<number, Set<string>>();
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isMemberMessage(message)) return;
    let members = membersOf.get(worker.id);
    if (members === undefined) membersOf.set(worker.id, (members = new Set()));
    members.add(message.member);
    hub.receive(message);
    if (message.agentmeter === 'hello') sendTo(worker, { agentmeter: 'welcome', request: 0 });
  };
  const onExit = (worker: Worker): void => {
    const members = membersOf.get(worker.id);
    membersOf.delete(worker.id);
    if (members !== undefined) hub.depart(members);
  };
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  // Workers forked before this start() say hello again.
  for (const worker of Object.values(cluster.workers ?? {}))
    if (worker !== undefined) sendTo(worker, { agentmeter: 'announce', request: 0 });
  return {
    ask: (request) => {
      for (const id of membersOf.keys()) {
        const worker = cluster.workers?.[id];
        if (worker !== undefined) sendTo(worker, { agentmeter: 'collect', request });
      }
    },
    close: () => {
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
    },
  };
}

/** A cluster worker's side: the IPC channel to the primary. */
export function clusterMemberChannel(): MemberChannel {
  return {
    send: (message) =>
      new Promise<void>((resolve) => {
        // An error (the channel closed) is as final as a success: the primary folds this worker on exit.
        if (process.send?.(message, undefined, {}, () => resolve()) === undefined) resolve();
      }),
    listen: (receive) => {
      const onMessage = (message: unknown): void => {
        if (isHubMessage(message)) receive(message);
      };
      process.on('message', onMessage);
      return () => process.off('message', onMessage);
    },
  };
}

/** The main thread's side: worker threads that ran start() in this process. */
export function threadHubTransport(hub: MetricsHub): HubTransport {
  const requests = new BroadcastChannel(REQUESTS);
  const replies = new BroadcastChannel(REPLIES);
  replies.addEventListener('message', (event) => {
    const message = (event as MessageEvent).data as unknown;
    if (!isMemberMessage(message)) return;
    hub.receive(message);
    if (message.agentmeter === 'hello') post(requests, { agentmeter: 'welcome', request: 0 });
  });
  // Neither channel keeps the process alive.
  requests.unref();
  replies.unref();
  post(requests, { agentmeter: 'announce', request: 0 });
  return {
    ask: (request) => post(requests, { agentmeter: 'collect', request }),
    close: () => {
      requests.close();
      replies.close();
    },
  };
}

/** A worker thread's side; the reply channel is opened per message so threads never queue each other's snapshots. */
export function threadMemberChannel(): MemberChannel {
  return {
    send: (message) => {
      const replies = new BroadcastChannel(REPLIES);
      post(replies, message);
      replies.close();
    },
    listen: (receive) => {
      const requests = new BroadcastChannel(REQUESTS);
      requests.addEventListener('message', (event) => {
        const message = (event as MessageEvent).data as unknown;
        if (isHubMessage(message)) receive(message);
      });
      requests.unref();
      return () => requests.close();
    },
  };
}
