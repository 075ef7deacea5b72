/** Version of the wire protocol; the first client message carries it and the gateway refuses others. */
export const PROTOCOL_VERSION = 1;

/** WebSocket path the browser connects to. */
export const WEBSOCKET_PATH = '/ws';

/**
 * Largest JSON control message either side accepts, in bytes. Room for a pasted 16 kbit RSA key;
 * anything larger is answered with MESSAGE_TOO_LARGE and dropped, the connection stays up.
 * @default 65536
 */
export const MAX_CONTROL_MESSAGE_BYTES = 64 * 1024;

/**
 * Largest binary input frame (keystrokes, paste) the gateway accepts. The browser splits larger
 * pastes into frames of at most this size, so this must be <= MAX_FRAME_BYTES.
 * @default 65536
 */
export const MAX_INPUT_FRAME_BYTES = 64 * 1024;

/**
 * Hard cap the WebSocket layer enforces on any single frame: beyond it the socket is closed with
 * 1009 because reading it at all would let one client make the gateway buffer without bound.
 * @default 1048576
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** Target name that stands for "a host I type", listed only when the operator enables free-form targets. */
export const FREE_FORM_TARGET = '*';

/** Terminal size bounds a client may ask for (a PTY larger than this is a mistake or an attack). */
export const TERMINAL_LIMITS = { minCols: 1, maxCols: 1000, minRows: 1, maxRows: 500 } as const;

/** Application close codes on the WebSocket (4000–4999 is the range RFC 6455 leaves to applications). */
export const CLOSE_CODES = {
  /** The session ended: the remote shell exited or the gateway closed it after an error. */
  sessionEnded: 4000,
  /** The client broke the protocol in a way that leaves nothing to talk about (wrong version). */
  protocolError: 4001,
  /**
   * The gateway sign-in this socket was opened with ended (signed out, or its lifetime ran out).
   * The session goes on, waiting for its browser; the page signs in again and reattaches.
   */
  signInEnded: 4002,
  /**
   * RFC 6455's "Try Again Later": the replica relaying this socket lost its hop to the replica
   * that owns the session. The page reconnects as after any drop; the balancer may pick another
   * replica, and if the owner is gone for good the reattach answers REPLICA_LOST.
   */
  tryAgainLater: 1013,
} as const;

/**
 * End-to-end flow control, counted in output bytes (the same count is the replay position).
 * The browser acknowledges after xterm.js has parsed the bytes, at least every ackEveryBytes and
 * whenever its write queue drains. From those acks the gateway measures each attached page's
 * drain rate and keeps in flight only what that page parses in targetDrainMs (plus the browser
 * leg's round trip), between windowFloor and windowCeiling; initialWindow until it has measured.
 * It pauses the SSH channel above the window and resumes at or below half of it. Rule (tested):
 * ackEveryBytes <= windowFloor / 2, or a paused stream could wait for an ack that only the drain
 * timer sends. docs/architecture.md ("Flow control") derives the numbers.
 */
export const FLOW_CONTROL = {
  /** @default 32768 */
  ackEveryBytes: 32 * 1024,
  /** @default 100 */
  targetDrainMs: 100,
  /** @default 65536 */
  windowFloor: 64 * 1024,
  /** @default 4194304 */
  windowCeiling: 4 * 1024 * 1024,
  /** @default 262144 */
  initialWindow: 256 * 1024,
} as const;
