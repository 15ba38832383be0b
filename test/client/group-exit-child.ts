/**
 * Run by group-exit.test.ts as a child process: joins a group, leaves, closes the cluster and
 * then does nothing, so the process exits only if nothing of the group's is left running.
 * Mode "parked": leaves while its JoinGroup is still waiting in the broker for another member.
 */
import { Cluster, Connection, GroupMembership } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';

const [port, groupId, topic, mode] = process.argv.slice(2) as [string, string, string, 'simple' | 'parked'];
const cluster = await Cluster.connect({ port: Number(port) });
const membership = new GroupMembership({ cluster, groupId, topics: [topic], heartbeatIntervalMs: 100, sessionTimeoutMs: 10_000 });

if (mode === 'simple') {
  const assigned = await membership.join();
  process.stdout.write(`joined with ${assigned.length}\n`);
} else {
  const joining = membership.join().catch((error: unknown) => (error as Error).message);
  // Its own connection: the broker answers in order, so on the cluster's this would wait behind the parked JoinGroup.
  const connection = await Connection.connect({ port: Number(port) });
  let state = '';
  for (let i = 0; i < 1_000 && state !== 'PreparingRebalance'; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    state = (await connection.request(API_KEYS.DescribeGroups, { groups: [groupId] })).groups[0]!.groupState;
  }
  await connection.close();
  process.stdout.write(state === 'PreparingRebalance' ? 'parked\n' : `not parked: ${state}\n`);
  void joining.then((outcome) => process.stdout.write(`join ended: ${String(outcome)}\n`));
}
await membership.leave();
await cluster.close();
process.stdout.write('left\n');
