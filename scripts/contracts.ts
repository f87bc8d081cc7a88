// The external contract may only change compatibly: the GraphQL schema and the OpenAPI document
// the code builds are compared with the baselines committed under contracts/, and a change that
// would break a client is refused unless it comes with a new major version (for 0.x, a new minor,
// as semver has it): `openApiInfo.version` in src/api/app.ts, `graphqlVersion` in
// src/api/graphql/schema.ts.
//   npm run contracts             checks, and says what breaks
//   npm run contracts -- --accept records the current contract as the new baseline (refused while it breaks)
// tests/api/contracts.test.ts runs the same check, in CI.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSchema, findBreakingChanges } from 'graphql';
import { openApiInfo } from '../src/api/app';
import { graphqlVersion } from '../src/api/graphql/schema';
import { printedSchema } from '../src/api/graphql/print';
import { generateOpenApi } from '../src/api/openapi';

const root = join(import.meta.dirname, '..');
export const baselinePaths = { graphql: join(root, 'contracts/schema.graphql'), openapi: join(root, 'contracts/openapi.json') };

/** True when `current` is a new major version of `baseline` (a new minor while the major is 0). */
export function isNewVersion(baseline: string, current: string): boolean {
  const [bMajor = 0, bMinor = 0] = baseline.split('.').map(Number);
  const [cMajor = 0, cMinor = 0] = current.split('.').map(Number);
  if (cMajor !== bMajor) return cMajor > bMajor;
  return cMajor === 0 && cMinor > bMinor;
}

export interface Contract<T> {
  version: string;
  document: T;
}

const versionLine = /^# version (\S+)\n/;

export const graphqlBaseline = (sdl: string): string => `# version ${graphqlVersion}\n${sdl}`;

export function parseGraphqlBaseline(text: string): Contract<string> {
  const match = versionLine.exec(text);
  if (!match?.[1]) throw new Error('contracts/schema.graphql must start with "# version x.y.z"');
  return { version: match[1], document: text.slice(match[0].length) };
}

/** What a client of the baseline schema would find broken in the current one. */
export function graphqlBreaks(baseline: Contract<string>, current: Contract<string>): string[] {
  if (isNewVersion(baseline.version, current.version)) return [];
  return findBreakingChanges(buildSchema(baseline.document), buildSchema(current.document)).map((change) => `GraphQL: ${change.description}`);
}

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}

interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

function resolve(doc: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema | undefined {
  let current = schema;
  for (let hops = 0; current?.$ref && hops < 20; hops += 1) current = doc.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')];
  return current;
}

/**
 * Walks the properties two schemas share; `check` names what breaks between a pair of objects.
 * Request bodies break on a newly required field, response bodies on a field no longer required.
 */
function compareSchemas(
  docs: { base: OpenApiDocument; cur: OpenApiDocument },
  base: JsonSchema | undefined,
  cur: JsonSchema | undefined,
  at: string,
  check: (base: JsonSchema, cur: JsonSchema, at: string) => string[],
  depth = 0,
): string[] {
  const b = resolve(docs.base, base);
  const c = resolve(docs.cur, cur);
  if (!b || !c || depth > 10) return [];
  const problems = check(b, c, at);
  for (const [name, property] of Object.entries(b.properties ?? {})) {
    if (c.properties?.[name]) problems.push(...compareSchemas(docs, property, c.properties[name], `${at}.${name}`, check, depth + 1));
  }
  if (b.items && c.items) problems.push(...compareSchemas(docs, b.items, c.items, `${at}[]`, check, depth + 1));
  return problems;
}

const newlyRequired = (b: JsonSchema, c: JsonSchema, at: string): string[] =>
  (c.required ?? []).filter((name) => !(b.required ?? []).includes(name)).map((name) => `${at}: request field ${name} is now required`);

const noLongerSent = (b: JsonSchema, c: JsonSchema, at: string): string[] =>
  (b.required ?? []).filter((name) => !(c.required ?? []).includes(name)).map((name) => `${at}: response field ${name} is no longer always sent`);

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** What a client of the baseline document would find broken in the current one. */
export function openApiBreaks(base: OpenApiDocument, cur: OpenApiDocument): string[] {
  if (isNewVersion(base.info.version, cur.info.version)) return [];
  const docs = { base, cur };
  const problems: string[] = [];
  for (const [path, operations] of Object.entries(base.paths)) {
    for (const method of methods) {
      const was = operations[method];
      if (!was) continue;
      const now = cur.paths[path]?.[method];
      const op = `${method.toUpperCase()} ${path}`;
      if (!now) {
        problems.push(`${op}: removed`);
        continue;
      }
      for (const parameter of now.parameters ?? []) {
        const before = (was.parameters ?? []).find((p) => p.name === parameter.name && p.in === parameter.in);
        if (parameter.required && !before?.required) problems.push(`${op}: ${parameter.in} parameter ${parameter.name} is now required`);
      }
      if (now.requestBody?.required && !was.requestBody) problems.push(`${op}: a request body is now required`);
      for (const [type, media] of Object.entries(was.requestBody?.content ?? {})) {
        const accepted = now.requestBody?.content?.[type];
        if (!accepted) problems.push(`${op}: request body ${type} no longer accepted`);
        else problems.push(...compareSchemas(docs, media.schema, accepted.schema, `${op} ${type}`, newlyRequired));
      }
      for (const [status, response] of Object.entries(was.responses ?? {})) {
        const answer = now.responses?.[status];
        if (!answer) {
          if (status.startsWith('2')) problems.push(`${op}: response ${status} removed`);
          continue;
        }
        for (const [type, media] of Object.entries(response.content ?? {})) {
          const sent = answer.content?.[type];
          if (!sent) problems.push(`${op} ${status}: response body ${type} no longer sent`);
          else problems.push(...compareSchemas(docs, media.schema, sent.schema, `${op} ${status}`, noLongerSent));
        }
      }
    }
  }
  return problems;
}

/** The current contract as the code builds it. */
export async function currentContracts(): Promise<{ graphql: Contract<string>; openapi: OpenApiDocument }> {
  return { graphql: { version: graphqlVersion, document: printedSchema() }, openapi: JSON.parse(await generateOpenApi()) as OpenApiDocument };
}

export function committedBaselines(): { graphql: Contract<string>; openapi: OpenApiDocument } {
  return {
    graphql: parseGraphqlBaseline(readFileSync(baselinePaths.graphql, 'utf8')),
    openapi: JSON.parse(readFileSync(baselinePaths.openapi, 'utf8')) as OpenApiDocument,
  };
}

/** Every break between the committed baselines and the current contract. */
export async function contractBreaks(): Promise<string[]> {
  const baseline = committedBaselines();
  const current = await currentContracts();
  return [...graphqlBreaks(baseline.graphql, current.graphql), ...openApiBreaks(baseline.openapi, current.openapi)];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const breaks = await contractBreaks();
  for (const problem of breaks) process.stderr.write(`breaking: ${problem}\n`);
  if (breaks.length) {
    process.stderr.write(
      `the contract changed incompatibly: keep it compatible, or bump the major version (openApiInfo.version ${openApiInfo.version}, graphqlVersion ${graphqlVersion})\n`,
    );
    process.exit(1);
  }
  if (process.argv.includes('--accept')) {
    const current = await currentContracts();
    writeFileSync(baselinePaths.graphql, graphqlBaseline(current.graphql.document));
    writeFileSync(baselinePaths.openapi, `${JSON.stringify(current.openapi, null, 2)}\n`);
    process.stdout.write(`recorded ${baselinePaths.graphql} and ${baselinePaths.openapi}\n`);
  } else {
    process.stdout.write('the contract is compatible with its baselines\n');
  }
}
