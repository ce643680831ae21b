/**
 * Validates request bodies the bot sends to LINE against the Messaging API OpenAPI spec
 * (compiled into `line-schema.json` by `npm run line:schema`) plus the documented limits
 * the spec does not encode (bubble sizes, carousel length, altText length, …).
 *
 * Meant for every outgoing request, including the emulator's, which calls it thousands of
 * times per second: validators are compiled once (lazily, on first use), and the extra
 * checks walk only the parts of a message that can break a limit.
 *
 * Paths and messages imitate LINE's 400 body (`messages[0].text` / `must be specified`).
 * LINE itself reports errors deep inside one message as "A message (messages[0]) in the
 * request body is invalid" with a pointer relative to that message; we always use the full
 * dotted path instead, which is easier to act on.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import lineSchema from './line-schema.json' with { type: 'json' };

/** One problem, phrased and located the way LINE's 400 responses do. */
export interface MessageValidationIssue {
  /** Property path in LINE's style, e.g. `messages[0].contents.body.contents[1].action.uri`. */
  path: string;
  /** LINE-style message, e.g. `must be specified`. */
  message: string;
}

/**
 * Which request body is being validated: the send endpoints, rich menu create/validate,
 * or `messages` for a bare array of message objects (reported under `messages[i]`).
 */
export type LineRequestKind = 'reply' | 'push' | 'multicast' | 'richmenu' | 'messages';

/** LINE's error response body for a 400. */
export interface LineErrorBody {
  message: string;
  details: Array<{ message: string; property: string }>;
}

/**
 * LINE's documented limits, in one place so message builders can truncate to the same
 * numbers. Those marked "spec" are enforced through the generated schema; the rest are
 * checked in code below because the OpenAPI spec does not state them.
 */
export const LINE_LIMITS = {
  /** spec (maxItems) */
  messagesPerRequest: 5,
  /** spec (maxItems) */
  quickReplyItems: 13,
  carouselBubbles: 12,
  /** "30 KB" in LINE's docs; read as KiB of UTF-8 JSON. */
  bubbleBytes: 30 * 1024,
  carouselBytes: 50 * 1024,
  altTextLength: 1500,
  textLength: 5000,
  /** spec (maxLength on postback, datetimepicker and richmenuswitch `data`) */
  postbackDataLength: 300,
  /** spec (maxItems) */
  multicastRecipients: 500,
  buttonsTemplateActions: 4,
  confirmTemplateActions: 2,
  carouselTemplateColumns: 10,
  carouselColumnActions: 3,
  imageCarouselColumns: 10,
  richMenuAreas: 20,
  richMenuMinWidth: 800,
  richMenuMaxWidth: 2500,
  richMenuMinHeight: 250,
  /** width / height must be at least this. */
  richMenuMinAspectRatio: 1.45,
} as const;

const SCHEMA_ID: string = lineSchema.$id;
const definitionRef = (name: string): string => `${SCHEMA_ID}#/definitions/${name}`;

/** Root schema per kind. `messages` has no spec counterpart, so it is assembled here. */
const ROOT_SCHEMAS: Record<LineRequestKind, object> = {
  reply: { $ref: definitionRef('ReplyMessageRequest') },
  push: { $ref: definitionRef('PushMessageRequest') },
  multicast: { $ref: definitionRef('MulticastRequest') },
  richmenu: { $ref: definitionRef('RichMenuRequest') },
  messages: {
    type: 'array',
    minItems: 1,
    maxItems: LINE_LIMITS.messagesPerRequest,
    items: { $ref: definitionRef('Message') },
  },
};

let ajvInstance: Ajv | undefined;
const validators = new Map<LineRequestKind, ValidateFunction>();

function getAjv(): Ajv {
  if (!ajvInstance) {
    ajvInstance = new Ajv({
      // LINE reports every problem at once; so do we.
      allErrors: true,
      // The generated schema dispatches Message/Action/FlexComponent/... on `type`.
      discriminator: true,
      // Errors carry their schema so messages can say "between 1 and 5", not just "at most 5".
      verbose: true,
      strict: true,
    });
    // Only the formats the spec uses; the full set would just cost startup time.
    ajvFormats.default(ajvInstance, ['uri', 'date-time', 'uuid']);
    ajvInstance.addSchema(lineSchema);
  }
  return ajvInstance;
}

function getValidator(kind: LineRequestKind): ValidateFunction {
  let validator = validators.get(kind);
  if (!validator) {
    validator = getAjv().compile(ROOT_SCHEMAS[kind]);
    validators.set(kind, validator);
  }
  return validator;
}

/**
 * Validates a request body for one of LINE's endpoints.
 *
 * @param kind which endpoint the body is for; `messages` validates a bare array of messages.
 * @param body the JSON body exactly as it would be sent.
 * @returns every issue found, in LINE's path/message style; `[]` when the body is valid.
 */
export function validateLineRequest(kind: LineRequestKind, body: unknown): MessageValidationIssue[] {
  const validator = getValidator(kind);
  const prefix = kind === 'messages' ? 'messages' : '';
  const issues: MessageValidationIssue[] = [];
  if (!validator(body)) {
    for (const error of validator.errors ?? []) {
      const issue = issueFromAjvError(error, body, prefix);
      if (issue) issues.push(issue);
    }
  }
  checkLimits(kind, body, issues);
  return dedupe(issues);
}

/**
 * Validates a bare array of message objects (1–5), as sent in `messages` of a reply,
 * push or multicast. Paths start with `messages[i]`.
 */
export function validateMessages(messages: unknown[]): MessageValidationIssue[] {
  return validateLineRequest('messages', messages);
}

/**
 * Builds the body LINE returns with a 400, e.g.
 * `{"message":"The request body has 1 error(s)","details":[{"message":"must be specified","property":"messages[0].text"}]}`.
 */
export function toLineErrorBody(issues: readonly MessageValidationIssue[]): LineErrorBody {
  return {
    message: `The request body has ${issues.length} error(s)`,
    details: issues.map((issue) => ({ message: issue.message, property: issue.path })),
  };
}

// ---------------------------------------------------------------------------------------
// ajv errors → LINE-style issues

function issueFromAjvError(error: ErrorObject, root: unknown, prefix: string): MessageValidationIssue | undefined {
  const at = (extra?: string): string => toLinePath(prefix, error.instancePath, root, extra);
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: at(String(error.params.missingProperty)), message: 'must be specified' };
    case 'additionalProperties':
      return { path: at(String(error.params.additionalProperty)), message: 'invalid property' };
    case 'enum':
      return { path: at(), message: oneOfValues(error.params.allowedValues as unknown[]) };
    case 'const':
      return { path: at(), message: oneOfValues([error.params.allowedValue]) };
    case 'type':
      return { path: at(), message: `must be ${article(String(error.params.type))}` };
    case 'minLength':
    case 'maxLength':
      return { path: at(), message: sizeMessage(parent.minLength, parent.maxLength) };
    case 'minItems':
    case 'maxItems':
      return { path: at(), message: sizeMessage(parent.minItems, parent.maxItems) };
    case 'minimum':
      return { path: at(), message: `must be greater than or equal to ${String(error.params.limit)}` };
    case 'maximum':
      return { path: at(), message: `must be less than or equal to ${String(error.params.limit)}` };
    case 'format':
      return { path: at(), message: error.params.format === 'uri' ? 'invalid uri' : `invalid ${String(error.params.format)}` };
    case 'pattern':
      return { path: at(), message: `must match ${String(error.params.pattern)}` };
    case 'discriminator':
      // Always accompanied by a clearer `required` (tag missing), `type` or `enum` error
      // on the tag itself, because every dispatcher also declares the tag.
      return undefined;
    case 'oneOf':
    case 'anyOf':
    case 'if':
      // Wrapper errors; the branch errors say what is actually wrong.
      return undefined;
    default:
      return { path: at(), message: error.message ?? error.keyword };
  }
}

/**
 * Turns ajv's JSON pointer (`/messages/0/contents`) into LINE's `messages[0].contents`.
 * Walks the data alongside so that only real array indices get brackets (an object key
 * that happens to be numeric stays a dotted name).
 */
function toLinePath(prefix: string, instancePath: string, root: unknown, extra?: string): string {
  let path = prefix;
  let node: unknown = root;
  if (instancePath !== '') {
    for (const rawSegment of instancePath.slice(1).split('/')) {
      const segment = rawSegment.replace(/~1/g, '/').replace(/~0/g, '~');
      if (Array.isArray(node)) {
        path += `[${segment}]`;
        node = node[Number(segment)];
      } else {
        path = appendProperty(path, segment);
        node = isRecord(node) ? node[segment] : undefined;
      }
    }
  }
  return extra === undefined ? path : appendProperty(path, extra);
}

function appendProperty(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function sizeMessage(min: unknown, max: unknown): string {
  const lower = typeof min === 'number' ? min : 0;
  return typeof max === 'number' ? `size must be between ${lower} and ${max}` : `size must be at least ${lower}`;
}

function oneOfValues(values: unknown[]): string {
  return `Must be one of the following values: [${values.map(String).join(', ')}]`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function dedupe(issues: MessageValidationIssue[]): MessageValidationIssue[] {
  if (issues.length < 2) return issues;
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------
// Limits the spec does not encode. Each check tolerates malformed input (the schema has
// already reported that) and only looks at the fields it needs.
//
// Lengths here count UTF-16 code units (String#length), the stricter reading for emoji:
// LINE's docs say "characters" without defining them, and a code-point count would let
// through texts that a UTF-16 count rejects.

function checkLimits(kind: LineRequestKind, body: unknown, issues: MessageValidationIssue[]): void {
  switch (kind) {
    case 'messages':
      checkMessageList(body, 'messages', issues);
      return;
    case 'reply':
      if (!isRecord(body)) return;
      checkNotEmpty(body.replyToken, 'replyToken', issues);
      checkMessageList(body.messages, 'messages', issues);
      return;
    case 'push':
      if (!isRecord(body)) return;
      checkNotEmpty(body.to, 'to', issues);
      checkMessageList(body.messages, 'messages', issues);
      return;
    case 'multicast':
      // The 500-recipient cap is in the spec (maxItems), so only the messages need work.
      if (!isRecord(body)) return;
      checkMessageList(body.messages, 'messages', issues);
      return;
    case 'richmenu':
      checkRichMenu(body, issues);
      return;
  }
}

function checkMessageList(messages: unknown, path: string, issues: MessageValidationIssue[]): void {
  if (!Array.isArray(messages)) return;
  messages.forEach((message, index) => checkMessage(message, `${path}[${index}]`, issues));
}

function checkMessage(message: unknown, path: string, issues: MessageValidationIssue[]): void {
  if (!isRecord(message)) return;
  switch (message.type) {
    case 'text':
    case 'textV2':
      checkText(message.text, `${path}.text`, LINE_LIMITS.textLength, issues);
      return;
    case 'flex':
      checkText(message.altText, `${path}.altText`, LINE_LIMITS.altTextLength, issues);
      checkFlexContainer(message.contents, `${path}.contents`, issues);
      return;
    case 'template':
      checkText(message.altText, `${path}.altText`, LINE_LIMITS.altTextLength, issues);
      checkTemplate(message.template, `${path}.template`, issues);
      return;
    case 'imagemap':
      checkText(message.altText, `${path}.altText`, LINE_LIMITS.altTextLength, issues);
      return;
    default:
      return;
  }
}

/** Non-empty and at most `maxLength`; a missing or non-string value is the schema's job. */
function checkText(value: unknown, path: string, maxLength: number, issues: MessageValidationIssue[]): void {
  if (typeof value !== 'string') return;
  if (value.length === 0) issues.push({ path, message: 'May not be empty' });
  else if (value.length > maxLength) issues.push({ path, message: `size must be between 0 and ${maxLength}` });
}

function checkNotEmpty(value: unknown, path: string, issues: MessageValidationIssue[]): void {
  if (value === '') issues.push({ path, message: 'May not be empty' });
}

function checkFlexContainer(container: unknown, path: string, issues: MessageValidationIssue[]): void {
  if (!isRecord(container)) return;
  if (container.type === 'bubble') {
    checkJsonSize(JSON.stringify(container), path, LINE_LIMITS.bubbleBytes, 'bubble', issues);
    return;
  }
  if (container.type !== 'carousel' || !Array.isArray(container.contents)) return;
  const bubbles: unknown[] = container.contents;
  if (bubbles.length < 1 || bubbles.length > LINE_LIMITS.carouselBubbles) {
    issues.push({ path: `${path}.contents`, message: `size must be between 1 and ${LINE_LIMITS.carouselBubbles}` });
  }
  // Serialise each bubble once and derive the carousel's JSON from the pieces, instead of
  // stringifying the whole carousel again: JSON.stringify dominates the validator's cost.
  const bubbleJsons = bubbles.map((bubble) => JSON.stringify(bubble) ?? 'null');
  bubbleJsons.forEach((json, index) => {
    if (isRecord(bubbles[index])) checkJsonSize(json, `${path}.contents[${index}]`, LINE_LIMITS.bubbleBytes, 'bubble', issues);
  });
  const wrapperJson = JSON.stringify({ ...container, contents: [] });
  const carouselJson = [wrapperJson, ...bubbleJsons]; // the separators are accounted for below
  const separators = Math.max(bubbleJsons.length - 1, 0);
  checkJsonSize(carouselJson, path, LINE_LIMITS.carouselBytes, 'carousel', issues, separators);
}

/**
 * LINE measures Flex size as the UTF-8 bytes of the JSON it receives. `json` may be given
 * in pieces (plus a count of one-byte separators) so a carousel need not be re-serialised.
 */
function checkJsonSize(
  json: string | readonly string[],
  path: string,
  maxBytes: number,
  what: string,
  issues: MessageValidationIssue[],
  extraAsciiBytes = 0,
): void {
  const pieces = typeof json === 'string' ? [json] : json;
  let units = extraAsciiBytes;
  for (const piece of pieces) units += piece.length;
  // A UTF-16 unit is at most 3 UTF-8 bytes, so typical bubbles are cleared without the
  // exact (much slower) byte count.
  if (units * 3 <= maxBytes) return;
  let bytes = extraAsciiBytes;
  for (const piece of pieces) bytes += Buffer.byteLength(piece, 'utf8');
  if (bytes > maxBytes) {
    issues.push({ path, message: `${what} JSON must be at most ${maxBytes} bytes (${maxBytes / 1024} KB); got ${bytes}` });
  }
}

function checkTemplate(template: unknown, path: string, issues: MessageValidationIssue[]): void {
  if (!isRecord(template)) return;
  switch (template.type) {
    case 'buttons':
      checkCount(template.actions, `${path}.actions`, 1, LINE_LIMITS.buttonsTemplateActions, issues);
      return;
    case 'confirm':
      checkCount(template.actions, `${path}.actions`, LINE_LIMITS.confirmTemplateActions, LINE_LIMITS.confirmTemplateActions, issues);
      return;
    case 'carousel':
      checkCount(template.columns, `${path}.columns`, 1, LINE_LIMITS.carouselTemplateColumns, issues);
      if (Array.isArray(template.columns)) {
        template.columns.forEach((column, index) => {
          if (isRecord(column)) {
            checkCount(column.actions, `${path}.columns[${index}].actions`, 1, LINE_LIMITS.carouselColumnActions, issues);
          }
        });
      }
      return;
    case 'image_carousel':
      checkCount(template.columns, `${path}.columns`, 1, LINE_LIMITS.imageCarouselColumns, issues);
      return;
    default:
      return;
  }
}

function checkCount(items: unknown, path: string, min: number, max: number, issues: MessageValidationIssue[]): void {
  if (!Array.isArray(items)) return;
  if (items.length < min || items.length > max) issues.push({ path, message: `size must be between ${min} and ${max}` });
}

/**
 * Rich menu rules from LINE's "rich menu object" docs: all top-level fields are required
 * (the spec marks none), 800–2500 px wide, at least 250 px high, width/height ≥ 1.45, and
 * at most 20 areas.
 */
function checkRichMenu(body: unknown, issues: MessageValidationIssue[]): void {
  if (!isRecord(body)) return;
  for (const field of ['size', 'selected', 'name', 'chatBarText', 'areas'] as const) {
    if (body[field] === undefined) issues.push({ path: field, message: 'must be specified' });
  }
  checkNotEmpty(body.chatBarText, 'chatBarText', issues);
  const size = body.size;
  if (isRecord(size) && typeof size.width === 'number' && typeof size.height === 'number') {
    const { width, height } = size;
    if (width < LINE_LIMITS.richMenuMinWidth || width > LINE_LIMITS.richMenuMaxWidth) {
      issues.push({
        path: 'size.width',
        message: `must be between ${LINE_LIMITS.richMenuMinWidth} and ${LINE_LIMITS.richMenuMaxWidth}`,
      });
    }
    if (height < LINE_LIMITS.richMenuMinHeight) {
      issues.push({ path: 'size.height', message: `must be greater than or equal to ${LINE_LIMITS.richMenuMinHeight}` });
    }
    if (height > 0 && width / height < LINE_LIMITS.richMenuMinAspectRatio) {
      issues.push({ path: 'size', message: `aspect ratio (width / height) must be at least ${LINE_LIMITS.richMenuMinAspectRatio}` });
    }
  }
  checkCount(body.areas, 'areas', 0, LINE_LIMITS.richMenuAreas, issues);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
