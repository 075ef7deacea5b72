export {
  AUDIT_EVENT_KINDS,
  type AuditEvent,
  type AuditEventKind,
  type AuditRow,
  auditEventSchema,
  auditRowSchema,
  parseAuditRows,
  type SessionEndReason,
} from './audit-trail.js';
export {
  CLOSE_CODES,
  FLOW_CONTROL,
  FREE_FORM_TARGET,
  MAX_CONTROL_MESSAGE_BYTES,
  MAX_FRAME_BYTES,
  MAX_INPUT_FRAME_BYTES,
  PROTOCOL_VERSION,
  TERMINAL_LIMITS,
  WEBSOCKET_PATH,
} from './constants.js';
export {
  describeError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorDetails,
  keyTypeLabel,
} from './error-codes.js';
export {
  AUTH_METHODS,
  type AuthMethod,
  type AuthRequest,
  type ClientMessage,
  clientMessageSchema,
  type LegHealth,
  type LiveSession,
  type LoginRequest,
  loginRequestSchema,
  type ServerMessage,
  type SessionSummary,
  type SignInState,
  serverMessageSchema,
  signInStateSchema,
  type TargetSummary,
} from './messages.js';
export {
  type ParseResult,
  parseClientMessage,
  parseLiveSessions,
  parseServerMessage,
  parseSessionList,
  parseTargetList,
} from './parse.js';
