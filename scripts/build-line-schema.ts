/**
 * Converts LINE's Messaging API OpenAPI spec into a plain JSON Schema (draft-07) document
 * that ajv can compile, and writes it to `src/line/validation/line-schema.json`.
 *
 * Usage: `npm run line:schema [-- path/to/messaging-api.yml]`
 * (default spec path: `../shared/line-openapi/messaging-api.yml` relative to the repo root).
 *
 * The output is committed because the spec lives outside the repository: at runtime and in
 * CI the validator must never read `../shared`.
 *
 * What the conversion does, and why:
 * - Every `components.schemas` entry becomes `definitions.<Name>`; `$ref`s are rewritten.
 * - OpenAPI inheritance (`allOf: [{$ref: Base}, {own props}]`) is flattened at build time into
 *   one object schema per concrete subtype (base properties + own properties, `required`
 *   merged). Flattening, rather than emitting `allOf`, is what lets us put
 *   `additionalProperties: false` on Flex components and actions: with `allOf`, draft-07
 *   would reject every property the sibling schema declares.
 * - A schema with a `discriminator` (e.g. `Message`, `Action`, `FlexComponent`) becomes a
 *   dispatcher: `type` must be one of the mapping keys, and ajv's `discriminator` keyword
 *   (with `oneOf` over the subtypes) picks the one concrete subtype to validate against.
 *   ajv does not support OpenAPI's `mapping`, so each subtype instead pins its tag with
 *   `const`, which is also what LINE requires when a subtype is referenced directly
 *   (e.g. every item of a Flex carousel must say `"type": "bubble"`).
 * - OpenAPI-only keywords are translated (`nullable`) or dropped (docs, examples), and
 *   OpenAPI number formats become plain bounds. Anything unknown throws, so a spec update
 *   that uses a new construct fails loudly here instead of silently validating less.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';

type OpenApiSchema = Record<string, unknown>;
type JsonSchema = Record<string, unknown>;

/** The generated document: draft-07 with every component under `definitions`. */
export interface LineSchemaDocument {
  $schema: string;
  $id: string;
  $comment: string;
  definitions: Record<string, JsonSchema>;
}

/** ajv id of the generated document; validators reference `${LINE_SCHEMA_ID}#/definitions/X`. */
export const LINE_SCHEMA_ID = 'https://morprom.local/schemas/line-messaging-api.json';

/**
 * Discriminated bases whose subtypes LINE validates strictly: an unknown property inside a
 * Flex container, component or action is rejected with "invalid property", so the subtypes
 * (and a few helper objects that only appear inside Flex/actions) get
 * `additionalProperties: false`. Other objects (message roots, templates, rich menus) stay
 * open because LINE ignores extra keys there and the spec is not exhaustive for them.
 */
const CLOSED_DISCRIMINATOR_BASES = ['FlexContainer', 'FlexComponent', 'FlexBoxBackground', 'Action'];
const CLOSED_PLAIN_SCHEMAS = ['FlexBubbleStyles', 'FlexBlockStyle', 'AltUri'];

/** Keywords that only document; dropped from the output to keep it small and diffable. */
const ANNOTATION_KEYWORDS = new Set(['description', 'example', 'examples', 'externalDocs', 'title', 'default', 'deprecated']);

/** Formats ajv-formats implements and that we keep as-is. */
const KEPT_FORMATS = new Set(['uri', 'date-time', 'date', 'time', 'uuid', 'email']);
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const COMPONENT_REF_PREFIX = '#/components/schemas/';

interface Discriminator {
  propertyName: string;
  /** tag value → subtype component name, in spec order. */
  mapping: Array<[tag: string, subtype: string]>;
}

/**
 * Converts the parsed OpenAPI document (as YAML text) into the JSON Schema document.
 * Pure and deterministic: the same spec text always yields the same output.
 */
export function buildLineSchema(specText: string): LineSchemaDocument {
  const spec = parseYaml(specText) as { info?: { version?: string }; components?: { schemas?: Record<string, OpenApiSchema> } };
  const components = spec.components?.schemas;
  if (!components) throw new Error('spec has no components.schemas');

  const discriminators = collectDiscriminators(components);
  /** subtype name → [base name, tag] */
  const subtypeTags = new Map<string, { base: string; tag: string; propertyName: string }>();
  for (const [base, d] of discriminators) {
    for (const [tag, subtype] of d.mapping) {
      if (subtypeTags.has(subtype)) throw new Error(`${subtype} is mapped by more than one discriminator`);
      subtypeTags.set(subtype, { base, tag, propertyName: d.propertyName });
    }
  }
  const closed = new Set(CLOSED_PLAIN_SCHEMAS);
  for (const base of CLOSED_DISCRIMINATOR_BASES) {
    for (const [, subtype] of discriminators.get(base)?.mapping ?? []) closed.add(subtype);
  }

  const shapeCache = new Map<string, OpenApiSchema>();
  /** A component's own object shape with `allOf` merged in, without its discriminator. */
  const shapeOf = (name: string, trail: string[] = []): OpenApiSchema => {
    const cached = shapeCache.get(name);
    if (cached) return cached;
    if (trail.includes(name)) throw new Error(`allOf cycle: ${[...trail, name].join(' → ')}`);
    const raw = components[name];
    if (!raw) throw new Error(`unknown component ${name}`);
    const shape = mergeAllOf(raw, name, (ref) => shapeOf(ref, [...trail, name]));
    shapeCache.set(name, shape);
    return shape;
  };

  const definitions: Record<string, JsonSchema> = {};
  for (const name of Object.keys(components)) {
    const discriminator = discriminators.get(name);
    if (discriminator) {
      definitions[name] = buildDispatcher(discriminator, shapeOf(name));
      continue;
    }
    const shape = { ...shapeOf(name) };
    const subtype = subtypeTags.get(name);
    if (subtype) {
      // Pin the tag so the subtype is self-describing for ajv's discriminator and so a
      // direct reference (carousel → FlexBubble) still demands the right `type`.
      const properties = { ...(shape.properties as Record<string, OpenApiSchema> | undefined) };
      properties[subtype.propertyName] = { type: 'string', const: subtype.tag };
      shape.properties = properties;
      shape.required = unique([subtype.propertyName, ...((shape.required as string[] | undefined) ?? [])]);
      shape.type ??= 'object';
    }
    const converted = convertNode(shape, `#/components/schemas/${name}`);
    if (closed.has(name)) converted.additionalProperties = false;
    definitions[name] = orderKeys(converted);
  }

  const sha256 = createHash('sha256').update(specText).digest('hex');
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: LINE_SCHEMA_ID,
    $comment:
      `Generated by scripts/build-line-schema.ts from line-openapi messaging-api.yml ` +
      `(info.version ${spec.info?.version ?? 'unknown'}, sha256 ${sha256}). Do not edit; run npm run line:schema.`,
    definitions,
  };
}

function collectDiscriminators(components: Record<string, OpenApiSchema>): Map<string, Discriminator> {
  const result = new Map<string, Discriminator>();
  for (const [name, schema] of Object.entries(components)) {
    const raw = schema.discriminator as { propertyName?: unknown; mapping?: Record<string, string> } | undefined;
    if (!raw) continue;
    if (typeof raw.propertyName !== 'string') throw new Error(`${name}: discriminator without propertyName`);
    if (!raw.mapping) throw new Error(`${name}: discriminator without mapping is not supported`);
    const mapping = Object.entries(raw.mapping).map(([tag, ref]): [string, string] => [tag, componentName(ref, name)]);
    result.set(name, { propertyName: raw.propertyName, mapping });
  }
  return result;
}

/**
 * The dispatcher for a discriminated base. The explicit `enum` gives a readable error
 * ("Must be one of the following values: [...]") for an unknown tag; the validator drops
 * ajv's own discriminator error, which says the same thing less helpfully.
 */
function buildDispatcher(discriminator: Discriminator, baseShape: OpenApiSchema): JsonSchema {
  const { propertyName, mapping } = discriminator;
  const tagSchema = (baseShape.properties as Record<string, OpenApiSchema> | undefined)?.[propertyName];
  if (tagSchema && tagSchema.type !== 'string') throw new Error(`discriminator ${propertyName} is not a string property`);
  return orderKeys({
    type: 'object',
    // The spec forgets to require the tag on some bases (Action, Recipient); LINE always needs it.
    required: [propertyName],
    properties: { [propertyName]: { type: 'string', enum: mapping.map(([tag]) => tag) } },
    discriminator: { propertyName },
    oneOf: mapping.map(([, subtype]) => ({ $ref: `#/definitions/${subtype}` })),
  });
}

/**
 * Merges `allOf` members (component refs resolve to their own shape, never to their
 * dispatcher) with the schema's sibling keywords into one object schema.
 */
function mergeAllOf(schema: OpenApiSchema, where: string, resolveShape: (name: string) => OpenApiSchema): OpenApiSchema {
  const members = schema.allOf as OpenApiSchema[] | undefined;
  if (!members) return withoutKeys(schema, ['discriminator']);
  const merged: OpenApiSchema = {};
  for (const member of members) {
    const source =
      typeof member.$ref === 'string'
        ? resolveShape(componentName(member.$ref, where))
        : mergeAllOf(member, where, resolveShape);
    mergeInto(merged, source, where);
  }
  mergeInto(merged, withoutKeys(schema, ['allOf', 'discriminator']), where);
  // FlexBox's second allOf member omits `type: object`; the merged result is an object.
  if (merged.properties || merged.required) merged.type ??= 'object';
  return merged;
}

function mergeInto(target: OpenApiSchema, source: OpenApiSchema, where: string): void {
  for (const [key, value] of Object.entries(source)) {
    if (ANNOTATION_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    if (key === 'required') {
      target.required = unique([...((target.required as string[] | undefined) ?? []), ...(value as string[])]);
    } else if (key === 'properties') {
      const properties = { ...(target.properties as Record<string, unknown> | undefined) };
      for (const [prop, propSchema] of Object.entries(value as Record<string, unknown>)) {
        if (prop in properties && !deepEqual(properties[prop], propSchema)) {
          throw new Error(`${where}: allOf members disagree on property ${prop}`);
        }
        properties[prop] = propSchema;
      }
      target.properties = properties;
    } else if (key in target && !deepEqual(target[key], value)) {
      throw new Error(`${where}: allOf members disagree on ${key}`);
    } else {
      target[key] = value;
    }
  }
}

/** Translates one OpenAPI 3.0 schema node (already allOf-free at the top) into draft-07. */
function convertNode(node: OpenApiSchema, where: string): JsonSchema {
  if (typeof node.$ref === 'string') {
    // OpenAPI 3.0 ignores siblings of $ref, and so do we.
    return { $ref: `#/definitions/${componentName(node.$ref, where)}` };
  }
  if (node.allOf) {
    // Inline allOf (not used by the current spec outside components, but cheap to support).
    return convertNode(mergeAllOf(node, where, () => {
      throw new Error(`${where}: inline allOf with $ref is not supported`);
    }), where);
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATION_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    switch (key) {
      case 'type':
      case 'enum':
      case 'const':
      case 'required':
      case 'pattern':
      case 'minLength':
      case 'maxLength':
      case 'minimum':
      case 'maximum':
      case 'minItems':
      case 'maxItems':
      case 'uniqueItems':
      case 'minProperties':
      case 'maxProperties':
      case 'multipleOf':
        out[key] = value;
        break;
      case 'nullable':
        break; // applied below, once `type` is known
      case 'format':
        applyFormat(out, node, String(value), where);
        break;
      case 'properties': {
        const properties: Record<string, JsonSchema> = {};
        for (const [prop, propSchema] of Object.entries(value as Record<string, OpenApiSchema>)) {
          properties[prop] = convertNode(propSchema, `${where}/properties/${prop}`);
        }
        out.properties = properties;
        break;
      }
      case 'items':
        out.items = convertNode(value as OpenApiSchema, `${where}/items`);
        break;
      case 'additionalProperties':
        out.additionalProperties =
          typeof value === 'boolean' ? value : convertNode(value as OpenApiSchema, `${where}/additionalProperties`);
        break;
      case 'oneOf':
      case 'anyOf':
        out[key] = (value as OpenApiSchema[]).map((member, i) => convertNode(member, `${where}/${key}/${i}`));
        break;
      case 'not':
        out.not = convertNode(value as OpenApiSchema, `${where}/not`);
        break;
      case 'discriminator':
        throw new Error(`${where}: discriminator outside components.schemas is not supported`);
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        // OpenAPI 3.0 uses booleans here, draft-07 numbers; the spec does not use them yet.
        throw new Error(`${where}: ${key} needs a 3.0 → draft-07 translation`);
      default:
        throw new Error(`${where}: unsupported keyword ${key}`);
    }
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  // ajv's strictTypes wants an explicit object type next to object keywords.
  if ((out.properties || out.required || 'additionalProperties' in out) && out.type === undefined) out.type = 'object';
  return orderKeys(out);
}

/** A fixed keyword order (type first, children last) so the committed JSON reads and diffs well. */
const KEYWORD_ORDER = [
  '$ref', 'type', 'const', 'enum', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'multipleOf', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required',
  'properties', 'additionalProperties', 'items', 'discriminator', 'oneOf', 'anyOf', 'not',
];

function orderKeys(schema: JsonSchema): JsonSchema {
  const ordered: JsonSchema = {};
  for (const key of KEYWORD_ORDER) if (key in schema) ordered[key] = schema[key];
  for (const key of Object.keys(schema)) if (!(key in ordered)) throw new Error(`orderKeys: unexpected keyword ${key}`);
  return ordered;
}

/** OpenAPI number formats become bounds (int32) or nothing; web formats are kept for ajv-formats. */
function applyFormat(out: JsonSchema, node: OpenApiSchema, format: string, where: string): void {
  if (KEPT_FORMATS.has(format)) {
    out.format = format;
  } else if (format === 'int32') {
    if (node.minimum === undefined) out.minimum = INT32_MIN;
    if (node.maximum === undefined) out.maximum = INT32_MAX;
  } else if (format === 'int64' || format === 'double' || format === 'float' || format === 'binary' || format === 'byte') {
    // int64 exceeds what a JS number represents exactly anyway; the others are not checkable on JSON.
  } else if (format.startsWith('^')) {
    // The spec once wrote a regex as a format (`^[0-9]{8}$`); it can only have meant a pattern.
    out.pattern = format;
  } else {
    throw new Error(`${where}: unknown format ${format}`);
  }
}

function componentName(ref: string, where: string): string {
  if (!ref.startsWith(COMPONENT_REF_PREFIX)) throw new Error(`${where}: unsupported $ref ${ref}`);
  return ref.slice(COMPONENT_REF_PREFIX.length);
}

function withoutKeys(schema: OpenApiSchema, keys: string[]): OpenApiSchema {
  const copy: OpenApiSchema = {};
  for (const [key, value] of Object.entries(schema)) if (!keys.includes(key)) copy[key] = value;
  return copy;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Serialises the document exactly as it is committed (2-space indent, trailing newline). */
export function serializeLineSchema(document: LineSchemaDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the spec sits when the sibling `shared/` checkout is present. */
export const DEFAULT_SPEC_PATH = path.resolve(repoRoot, '../shared/line-openapi/messaging-api.yml');
/** The committed output, read by `src/line/validation/validate.ts`. */
export const OUTPUT_PATH = path.resolve(repoRoot, 'src/line/validation/line-schema.json');

function main(): void {
  const specPath = path.resolve(process.argv[2] ?? DEFAULT_SPEC_PATH);
  const document = buildLineSchema(readFileSync(specPath, 'utf8'));
  mkdirSync(path.dirname(OUTPUT_PATH), { recursive: true });
  writeFileSync(OUTPUT_PATH, serializeLineSchema(document));
  const count = Object.keys(document.definitions).length;
  console.log(`wrote ${path.relative(repoRoot, OUTPUT_PATH)} (${count} definitions) from ${specPath}`);
}

// Run only when executed directly, so tests can import buildLineSchema without side effects.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main();
}
