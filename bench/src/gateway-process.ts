/**
 * A gateway as production runs it (compiled JS, no loader, its own process), started by the bench
 * with --expose-gc. It listens on a free loopback port and answers memory and CPU queries over
 * IPC. Nothing here changes the gateway: this file only calls its public `buildApp`.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp, configSchema } from '@vigil/gateway';
import { type ParentMessage, reply, serveParent } from './ipc-messages.js';

type Gateway = Awaited<ReturnType<typeof buildApp>>;
let gateway: Gateway | undefined;
/** How late the event loop runs: a blocked loop delays keepalive replies and echoes alike. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
/** The in-process inspector, while a CPU profile of a measurement window is being taken. */
let profiler: Session | undefined;

async function start(config: Record<string, unknown>, logFile: string): Promise<void> {
  // Logging stays on, at the production level, so its per-session cost is part of the figures.
  gateway = await buildApp(configSchema.parse(config), { logger: { level: 'info', file: logFile } });
  await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const address = gateway.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the gateway did not listen on TCP');
  // In cluster mode the replica joins at the address it listens on, as main.ts does; else a no-op.
  await gateway.joinCluster({ host: '127.0.0.1', port: address.port });
  reply({ type: 'ready', port: address.port });
}

async function handle(message: ParentMessage): Promise<void> {
  switch (message.type) {
    case 'start':
      return start(message.config, message.logFile);
    case 'loop-delay': {
      const ms = (ns: number) => ns / 1e6;
      const delay = {
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      };
      loopDelay.reset();
      return reply({ type: 'loop-delay', id: message.id, delay });
    }
    case 'profile-start':
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return reply({ type: 'profiled', id: message.id });
    case 'profile-stop': {
      if (!profiler) throw new Error('profile-stop without profile-start');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(message.path, JSON.stringify(profile));
      return reply({ type: 'profiled', id: message.id });
    }
    case 'heap-snapshot': {
      const session = new Session();
      session.connect();
      const chunks: string[] = [];
      session.on('HeapProfiler.addHeapSnapshotChunk', (event) => chunks.push(event.params.chunk));
      await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      session.disconnect();
      await writeFile(message.path, chunks.join(''));
      return reply({ type: 'profiled', id: message.id });
    }
    case 'stop':
      await gateway?.app.close();
      reply({ type: 'stopped', id: message.id });
      process.disconnect();
      return;
    default:
      throw new Error(`the gateway process does not do "${message.type}"`);
  }
}

serveParent(handle, () => gateway?.registry.size ?? 0);
