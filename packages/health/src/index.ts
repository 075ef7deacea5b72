export { RttWindow } from './rtt-window.js';
export {
  type ServerAliveDecision,
  ServerAliveMonitor,
  type ServerAliveOptions,
  type ServerAliveSnapshot,
  type ServerAliveState,
} from './server-alive.js';
