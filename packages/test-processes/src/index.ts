export { freePort } from './free-port.js';
export { LogTail } from './log-tail.js';
export { type RunOptions, runCommand } from './run-command.js';
export { stopProcess } from './stop-process.js';
