/**
 * Request validation for LINE's Messaging API: the OpenAPI spec (as generated JSON Schema)
 * plus the documented limits the spec leaves out. See `validate.ts`.
 */
export {
  LINE_LIMITS,
  toLineErrorBody,
  validateLineRequest,
  validateMessages,
  type LineErrorBody,
  type LineRequestKind,
  type MessageValidationIssue,
} from './validate.js';
