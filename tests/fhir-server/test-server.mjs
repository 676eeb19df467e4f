// test-server.mjs: tests of the FHIR test server itself (node:test).
//
// Copyright 2026 The Wardwatch authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Run: node --test-reporter=tap test-server.mjs   (meson: suite fhir-server)
// Installs the npm packages first when needed (npm ci), under the same lock
// as the C harness (tests/integration/ward-test-fhir-server.c).

import { spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID, sign as cryptoSign } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------
// Preconditions: Node >= 20.19 (Medplum 4.5.2's engines), the npm packages.

function skipAll(reason) {
  process.stdout.write(`TAP version 13\n1..0 # SKIP ${reason}\n`);
  process.exit(0);
}

function nodeSupported() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23;
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

// Same protocol as the C harness: an O_EXCL lock file holding the pid, in
// the temporary folder, named after the package folder.
function withInstallLock(fn) {
  const key = createHash('sha256').update(realpathSync(here)).digest('hex').slice(0, 16);
  const lockPath = join(tmpdir(), `wardwatch-fhir-npm-${key}.lock`);
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx', 0o644);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') {
        throw err;
      }
      let pid = 0;
      let ageMs = 0;
      try {
        pid = Number(readFileSync(lockPath, 'utf8').trim() || 0);
        ageMs = Date.now() - statSync(lockPath).mtimeMs;
      } catch {
        continue; // Removed meanwhile: try again.
      }
      // Stale: its process is gone, or it never got a pid written.
      if ((pid && !processAlive(pid)) || (!pid && ageMs > 30000)) {
        try {
          unlinkSync(lockPath);
        } catch {
          // Someone else removed it.
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${lockPath}`);
      }
      sleepSync(100);
    }
  }
  try {
    return fn();
  } finally {
    unlinkSync(lockPath);
  }
}

function installNeeded() {
  const marker = join(here, 'node_modules', '.package-lock.json');
  return !existsSync(marker) || statSync(marker).mtimeMs < statSync(join(here, 'package-lock.json')).mtimeMs;
}

if (!nodeSupported()) {
  skipAll(`node >= 20.19 required (Medplum 4.5.2), found ${process.version}`);
}
const installError = withInstallLock(() => {
  if (!installNeeded()) {
    return undefined;
  }
  const started = Date.now();
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, encoding: 'utf8' });
  if (npm.error?.code === 'ENOENT') {
    skipAll('npm is not installed (needed once to install the FHIR test server packages)');
  }
  if (npm.status !== 0) {
    return `npm ci failed: ${npm.stderr || npm.stdout || npm.error}`;
  }
  process.stderr.write(`npm ci: ${Date.now() - started} ms\n`);
  return undefined;
});
if (installError) {
  throw new Error(installError);
}

// ---------------------------------------------------------------------------
// Helpers

const servers = new Set();

async function startServer(extraArgs = []) {
  const child = spawn(process.execPath, [join(here, 'server.mjs'), '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const started = Date.now();
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no port line within 60 s: ${stderr}`)), 60000);
    child.stdout.on('data', (d) => {
      out += d;
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, newline)).port);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${stderr}`));
    });
  });
  const root = `http://127.0.0.1:${port}`;
  const server = {
    port,
    root,
    base: `${root}/fhir/R4`,
    startupMs: Date.now() - started,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      servers.delete(server);
    },
  };
  servers.add(server);
  return server;
}

after(async () => {
  for (const server of [...servers]) {
    await server.stop();
  }
});

async function http(method, url, { body, headers = {}, form } = {}) {
  const init = { method, headers: { ...headers } };
  if (form) {
    init.body = new URLSearchParams(form).toString();
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/fhir+json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function observation(id, extra = {}) {
  return {
    resourceType: 'Observation',
    ...(id ? { id } : undefined),
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
    valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    ...extra,
  };
}

async function stats(server) {
  return (await http('GET', `${server.root}/$stats`)).json;
}

// ---------------------------------------------------------------------------
// The plain server

{
  let server;
  before(async () => {
    server = await startServer();
  });

  test('starts within seconds and listens on 127.0.0.1 only', async (t) => {
    // About 1 s; printed, not asserted: tests do not time a shared machine.
    t.diagnostic(`start-up: ${server.startupMs} ms`);
    const res = await http('GET', `${server.base}/metadata`);
    assert.equal(res.status, 200);
    assert.equal(res.json.resourceType, 'CapabilityStatement');
    assert.equal(res.json.fhirVersion, '4.0.1');
    const obs = res.json.rest[0].resource.find((r) => r.type === 'Observation');
    assert.equal(obs.updateCreate, true);
    assert.equal(obs.conditionalUpdate, true);
    // Nothing on another address of this machine.
    const other = await fetch(`http://127.0.0.2:${server.port}/fhir/R4/metadata`).then(
      () => 'answered',
      () => 'refused'
    );
    assert.equal(other, 'refused');
  });

  test('without --strict-references a dangling reference is stored', async () => {
    await http('POST', `${server.root}/$reset`);
    const obs = observation('o1', { subject: { reference: 'Patient/p1' } });
    assert.equal((await http('PUT', `${server.base}/Observation/o1`, { body: obs })).status, 201);
  });

  test('create, read and update as create with a client id', async () => {
    await http('POST', `${server.root}/$reset`);
    const posted = await http('POST', `${server.base}/Patient`, {
      body: { resourceType: 'Patient', id: 'ignored', name: [{ family: 'Okafor' }] },
    });
    assert.equal(posted.status, 201);
    assert.notEqual(posted.json.id, 'ignored');
    assert.match(posted.headers.get('location'), new RegExp(`/fhir/R4/Patient/${posted.json.id}/_history/1$`));
    const read = await http('GET', `${server.base}/Patient/${posted.json.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.json.name[0].family, 'Okafor');

    const put = await http('PUT', `${server.base}/Observation/ward-obs-1`, { body: observation('ward-obs-1') });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.json.id, 'ward-obs-1');
    assert.equal(put.headers.get('etag'), 'W/"1"');
    const got = await http('GET', `${server.base}/Observation/ward-obs-1`);
    assert.equal(got.status, 200);
    assert.equal(got.json.valueQuantity.value, 72);

    const same = await http('PUT', `${server.base}/Observation/ward-obs-1`, { body: observation('ward-obs-1') });
    assert.equal(same.status, 200);
    assert.equal(same.json.meta.versionId, '1', 'an unchanged update makes no new version');

    const changed = observation('ward-obs-1', { valueQuantity: { value: 80, unit: '/min' } });
    const v2 = await http('PUT', `${server.base}/Observation/ward-obs-1`, {
      body: changed,
      headers: { 'If-Match': 'W/"1"' },
    });
    assert.equal(v2.status, 200, v2.text);
    assert.equal(v2.json.meta.versionId, '2');
    const stale = await http('PUT', `${server.base}/Observation/ward-obs-1`, {
      body: observation('ward-obs-1', { valueQuantity: { value: 90, unit: '/min' } }),
      headers: { 'If-Match': 'W/"1"' },
    });
    assert.equal(stale.status, 412);

    const history = await http('GET', `${server.base}/Observation/ward-obs-1/_history`);
    assert.equal(history.json.type, 'history');
    assert.deepEqual(
      history.json.entry.map((e) => e.resource.meta.versionId),
      ['2', '1']
    );
    const v1 = await http('GET', `${server.base}/Observation/ward-obs-1/_history/1`);
    assert.equal(v1.json.valueQuantity.value, 72);

    const deleted = await http('DELETE', `${server.base}/Observation/ward-obs-1`);
    assert.equal(deleted.status, 200);
    assert.equal((await http('GET', `${server.base}/Observation/ward-obs-1`)).status, 410);
    assert.equal((await http('GET', `${server.base}/Observation/never`)).status, 404);
  });

  test('versions for sharing: ETag, If-Match 412, If-None-Match: *', async () => {
    await http('POST', `${server.root}/$reset`);
    const task = (status, owner) => ({
      resourceType: 'Task',
      id: 'shared-1',
      status,
      intent: 'order',
      ...(owner ? { owner: { display: owner } } : undefined),
    });
    // Create only: 201 the first time, 412 once it exists.
    const made = await http('PUT', `${server.base}/Task/shared-1`, {
      body: task('requested'),
      headers: { 'If-None-Match': '*' },
    });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.headers.get('etag'), 'W/"1"');
    assert.equal(made.json.meta.versionId, '1');
    assert.match(made.json.meta.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const again = await http('PUT', `${server.base}/Task/shared-1`, {
      body: task('accepted', 'B'),
      headers: { 'If-None-Match': '*' },
    });
    assert.equal(again.status, 412, again.text);
    assert.equal(again.json.resourceType, 'OperationOutcome');
    assert.match(again.json.issue[0].diagnostics, /exists \(version W\/"1"\)/);

    // Two writers on version 1: the first wins, the second gets 412 naming
    // the current version, and nothing of it is kept.
    const first = await http('PUT', `${server.base}/Task/shared-1`, {
      body: task('accepted', 'A'),
      headers: { 'If-Match': 'W/"1"' },
    });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('etag'), 'W/"2"');
    const second = await http('PUT', `${server.base}/Task/shared-1`, {
      body: task('accepted', 'B'),
      headers: { 'If-Match': 'W/"1"' },
    });
    assert.equal(second.status, 412, second.text);
    assert.match(second.json.issue[0].diagnostics, /current version of Task\/shared-1 is W\/"2"/);
    const read = await http('GET', `${server.base}/Task/shared-1`);
    assert.equal(read.json.owner.display, 'A');
    assert.equal(read.headers.get('etag'), 'W/"2"');

    // If-Match on a resource that does not exist: 412 too.
    const missing = await http('PUT', `${server.base}/Task/shared-2`, {
      body: { ...task('requested'), id: 'shared-2' },
      headers: { 'If-Match': 'W/"1"' },
    });
    assert.equal(missing.status, 412, missing.text);

    // In a batch: request.ifNoneMatch.
    const batch = await http('POST', `${server.base}`, {
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: task('requested'), request: { method: 'PUT', url: 'Task/shared-1', ifNoneMatch: '*' } },
          {
            resource: { ...task('requested'), id: 'shared-3' },
            request: { method: 'PUT', url: 'Task/shared-3', ifNoneMatch: '*' },
          },
        ],
      },
    });
    assert.equal(batch.status, 200, batch.text);
    assert.deepEqual(
      batch.json.entry.map((e) => e.response.status),
      ['412', '201']
    );
  });

  test('polling: _lastUpdated=gt, _sort=_lastUpdated, _count paging', async () => {
    await http('POST', `${server.root}/$reset`);
    const put = async (id, status) =>
      (await http('PUT', `${server.base}/Task/${id}`, {
        body: { resourceType: 'Task', id, status, intent: 'order' },
      })).json;
    const a = await put('poll-a', 'requested');
    const b = await put('poll-b', 'requested');
    const a2 = await put('poll-a', 'accepted');
    const c = await put('poll-c', 'requested');
    assert.ok(a.meta.lastUpdated <= b.meta.lastUpdated && b.meta.lastUpdated <= a2.meta.lastUpdated);

    // Everything after a's first version, oldest change first, with
    // millisecond precision in the query.
    const since = encodeURIComponent(a.meta.lastUpdated);
    const all = await http('GET', `${server.base}/Task?_lastUpdated=gt${since}&_sort=_lastUpdated`);
    assert.equal(all.status, 200, all.text);
    const seen = all.json.entry.map((e) => `${e.resource.id}/${e.resource.meta.versionId}`);
    for (const r of seen) {
      assert.ok(!r.startsWith('poll-a/1'), 'version 1 of poll-a is not newer');
    }
    assert.ok(seen.includes('poll-a/2') && seen.includes('poll-c/1'), JSON.stringify(seen));
    const times = all.json.entry.map((e) => e.resource.meta.lastUpdated);
    assert.deepEqual(times, [...times].sort());

    // Nothing after the newest.
    const none = await http(
      'GET',
      `${server.base}/Task?_lastUpdated=gt${encodeURIComponent(c.meta.lastUpdated)}`
    );
    assert.equal(none.json.total, 0);

    // Pages of one, following next links.
    let url = `${server.base}/Task?_lastUpdated=gt2000-01-01T00:00:00Z&_sort=_lastUpdated&_count=1`;
    const ids = [];
    while (url) {
      const page = await http('GET', url);
      assert.equal(page.status, 200, page.text);
      ids.push(...(page.json.entry ?? []).map((e) => e.resource.id));
      url = page.json.link.find((l) => l.relation === 'next')?.url;
    }
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3);
    assert.equal(ids.at(-1), 'poll-c');
  });

  test('a bad status is rejected with an OperationOutcome', async () => {
    await http('POST', `${server.root}/$reset`);
    const res = await http('PUT', `${server.base}/Observation/bad-1`, {
      body: observation('bad-1', { status: 'bogus' }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.resourceType, 'OperationOutcome');
    const issue = res.json.issue.find((i) => i.expression?.includes('Observation.status'));
    assert.ok(issue, JSON.stringify(res.json));
    assert.equal(issue.severity, 'error');
    assert.equal(issue.code, 'value');
    assert.match(issue.diagnostics, /bogus/);

    const unknown = await http('POST', `${server.base}/Observation`, { body: observation(null, { colour: 'red' }) });
    assert.equal(unknown.status, 400);
    assert.ok(unknown.json.issue.some((i) => i.expression?.includes('Observation.colour')));

    const missing = await http('POST', `${server.base}/Observation`, { body: { resourceType: 'Observation', status: 'final' } });
    assert.equal(missing.status, 400);
    assert.ok(missing.json.issue.some((i) => i.expression?.includes('Observation.code')));

    const gender = await http('POST', `${server.base}/Patient`, { body: { resourceType: 'Patient', gender: 'x' } });
    assert.equal(gender.status, 400);

    const notJson = await http('POST', `${server.base}/Observation`, { body: '{"resourceType":' });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json.resourceType, 'OperationOutcome');

    assert.equal((await stats(server)).total, 0);
  });

  test('a failed transaction leaves nothing; a batch is per entry', async () => {
    await http('POST', `${server.root}/$reset`);
    await http('PUT', `${server.base}/Observation/existing`, { body: observation('existing') });
    const patientUrl = `urn:uuid:${randomUUID()}`;
    const transaction = (ifMatch) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: patientUrl,
          resource: { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'MRN-1' }] },
          request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:mrn|MRN-1' },
        },
        {
          resource: observation(null, {
            subject: { reference: patientUrl },
            identifier: [{ system: 'urn:obs', value: 'OBS-1' }],
          }),
          request: { method: 'PUT', url: 'Observation?identifier=urn:obs|OBS-1' },
        },
        {
          resource: observation('tx-client-id'),
          request: { method: 'PUT', url: 'Observation/tx-client-id' },
        },
        {
          resource: observation('existing', { status: 'amended' }),
          request: { method: 'PUT', url: 'Observation/existing', ifMatch: ifMatch },
        },
      ],
    });

    // Passes the schema, fails at entry 3 (If-Match): 412 and nothing kept.
    const failed = await http('POST', server.base, { body: transaction('W/"7"') });
    assert.equal(failed.status, 412, failed.text);
    assert.equal(failed.json.resourceType, 'OperationOutcome');
    assert.ok(failed.json.issue[0].expression.includes('Bundle.entry[3]'));
    let s = await stats(server);
    assert.deepEqual(s.resources, { Observation: 1 });
    assert.equal((await http('GET', `${server.base}/Observation/existing`)).json.status, 'final');

    // Schema error: 400 naming the element.
    const invalid = transaction('W/"1"');
    invalid.entry[2].resource.status = 'bogus';
    const rejected = await http('POST', server.base, { body: invalid });
    assert.equal(rejected.status, 400);
    assert.ok(rejected.json.issue.some((i) => i.expression.includes('Bundle.entry[2].resource.status')));
    assert.deepEqual((await stats(server)).resources, { Observation: 1 });

    // The same with the right version: everything, references resolved.
    const ok = await http('POST', server.base, { body: transaction('W/"1"') });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.type, 'transaction-response');
    assert.deepEqual(
      ok.json.entry.map((e) => e.response.status),
      ['201', '201', '201', '200']
    );
    const patientId = ok.json.entry[0].resource.id;
    assert.equal(ok.json.entry[1].resource.subject.reference, `Patient/${patientId}`);
    s = await stats(server);
    assert.deepEqual(s.resources, { Observation: 3, Patient: 1 });

    // A batch: the good entry stays, the bad one reports its own error.
    const batch = await http('POST', server.base, {
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: observation('batch-good'), request: { method: 'PUT', url: 'Observation/batch-good' } },
          {
            resource: observation('batch-bad', { status: 'bogus' }),
            request: { method: 'PUT', url: 'Observation/batch-bad' },
          },
        ],
      },
    });
    assert.equal(batch.status, 200);
    assert.equal(batch.json.type, 'batch-response');
    assert.equal(batch.json.entry[0].response.status, '201');
    assert.equal(batch.json.entry[1].response.status, '400');
    assert.equal((await http('GET', `${server.base}/Observation/batch-good`)).status, 200);
    assert.equal((await http('GET', `${server.base}/Observation/batch-bad`)).status, 404);
  });

  test('conditional create and conditional update by identifier', async () => {
    await http('POST', `${server.root}/$reset`);
    const url = `${server.base}/Observation?identifier=${encodeURIComponent('urn:dev|HR-7')}`;
    const body = observation(null, { identifier: [{ system: 'urn:dev', value: 'HR-7' }] });
    const first = await http('PUT', url, { body });
    assert.equal(first.status, 201, first.text);
    const second = await http('PUT', url, { body: { ...body, status: 'amended' } });
    assert.equal(second.status, 200);
    assert.equal(second.json.id, first.json.id);
    assert.equal(second.json.meta.versionId, '2');

    // No match and a client id: update as create with that id.
    const withId = await http('PUT', `${server.base}/Observation?identifier=urn:dev|HR-8`, {
      body: { ...observation('hr-8'), identifier: [{ system: 'urn:dev', value: 'HR-8' }] },
    });
    assert.equal(withId.status, 201, withId.text);
    assert.equal(withId.json.id, 'hr-8');

    const search = await http('GET', url);
    assert.equal(search.json.total, 1);
    assert.equal(search.json.entry[0].resource.status, 'amended');
    assert.equal(search.json.entry[0].fullUrl, `${server.base}/Observation/${first.json.id}`);
    assert.equal((await http('GET', `${server.base}/Observation?identifier=HR-8`)).json.total, 1);
    assert.equal((await http('GET', `${server.base}/Observation?identifier=urn:other|HR-8`)).json.total, 0);

    const created = await http('POST', `${server.base}/Patient`, {
      body: { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'M1' }] },
      headers: { 'If-None-Exist': 'identifier=urn:mrn|M1' },
    });
    assert.equal(created.status, 201);
    const again = await http('POST', `${server.base}/Patient`, {
      body: { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'M1' }] },
      headers: { 'If-None-Exist': 'identifier=urn:mrn|M1' },
    });
    assert.equal(again.status, 200);
    assert.equal(again.json.id, created.json.id);
    assert.equal((await stats(server)).resources.Patient, 1);
  });

  test('identifier writes cost the same with 20 times more resources', async (t) => {
    // The identifier index makes a conditional update independent of how
    // many resources are stored; a linear scan would make the second run
    // about 20 times slower.  Both runs are timed in the same test, so the
    // ratio holds on a loaded machine where absolute times do not.
    const load = async (from, to) => {
      const entry = [];
      for (let i = from; i < to; i++) {
        entry.push({
          resource: observation(null, { identifier: [{ system: 'urn:load', value: `L-${i}` }] }),
          request: { method: 'POST', url: 'Observation' },
        });
      }
      const loaded = await http('POST', server.base, { body: { resourceType: 'Bundle', type: 'batch', entry } });
      assert.equal(loaded.status, 200);
    };
    const updates = async (count, stride) => {
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const value = `L-${i * stride}`;
        const res = await http('PUT', `${server.base}/Observation?identifier=urn:load|${value}`, {
          body: observation(null, { status: 'amended', identifier: [{ system: 'urn:load', value }] }),
        });
        assert.equal(res.status, 200);
      }
      return performance.now() - started;
    };
    await http('POST', `${server.root}/$reset`);
    await load(0, 100);
    await updates(20, 1); // warm-up
    const small = await updates(100, 1);
    await load(100, 2000);
    const large = await updates(100, 19);
    const ratio = large / small;
    t.diagnostic(`100 conditional updates: ${small.toFixed(0)} ms among 100, ${large.toFixed(0)} ms among 2000 (x${ratio.toFixed(2)})`);
    assert.ok(ratio < 5, `with 20 times more resources, conditional updates took ${ratio.toFixed(1)} times as long`);
    assert.equal((await stats(server)).resources.Observation, 2000);
  });

  test('search pages with _count and links next', async () => {
    await http('POST', `${server.root}/$reset`);
    for (let i = 0; i < 5; i++) {
      await http('PUT', `${server.base}/Observation/page-${i}`, { body: observation(`page-${i}`) });
    }
    const page = await http('GET', `${server.base}/Observation?_count=2`);
    assert.equal(page.json.total, 5);
    assert.equal(page.json.entry.length, 2);
    const next = page.json.link.find((l) => l.relation === 'next');
    assert.ok(next);
    const page2 = await http('GET', next.url);
    assert.equal(page2.json.entry.length, 2);
    assert.notEqual(page2.json.entry[0].resource.id, page.json.entry[0].resource.id);
  });

  test('$reset empties the repository', async () => {
    await http('PUT', `${server.base}/Observation/to-reset`, { body: observation('to-reset') });
    assert.ok((await stats(server)).total > 0);
    const reset = await http('POST', `${server.root}/$reset`);
    assert.equal(reset.status, 200);
    const s = await stats(server);
    assert.equal(s.total, 0);
    assert.deepEqual(s.resources, {});
    assert.equal((await http('GET', `${server.base}/Observation/to-reset`)).status, 404);
  });

  test('$fault: 503 then success, slow and garbage answers', async () => {
    await http('POST', `${server.root}/$reset`);
    const set = await http('POST', `${server.root}/$fault`, {
      body: { status: 503, count: 2, retryAfter: 3 },
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(set.status, 200);
    for (let i = 0; i < 2; i++) {
      const res = await http('GET', `${server.base}/metadata`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '3');
      assert.equal(res.json.resourceType, 'OperationOutcome');
    }
    assert.equal((await http('GET', `${server.base}/metadata`)).status, 200);

    await http('POST', `${server.root}/$fault`, { body: { status: 429, retryAfter: 1 } });
    const throttled = await http('PUT', `${server.base}/Observation/f-1`, { body: observation('f-1') });
    assert.equal(throttled.status, 429);
    assert.equal((await http('GET', `${server.base}/Observation/f-1`)).status, 404, 'a faulted write is not applied');

    await http('POST', `${server.root}/$fault`, { body: { delayMs: 300 } });
    const started = Date.now();
    assert.equal((await http('GET', `${server.base}/metadata`)).status, 200);
    assert.ok(Date.now() - started >= 290);

    await http('POST', `${server.root}/$fault`, { body: { garbage: true } });
    const garbage = await http('GET', `${server.base}/metadata`);
    assert.equal(garbage.status, 200);
    assert.equal(garbage.json, undefined, 'the body is not JSON');

    await http('POST', `${server.root}/$fault`, { body: { status: 500, garbage: true } });
    const broken = await http('GET', `${server.base}/metadata`);
    assert.equal(broken.status, 500);
    assert.equal(broken.json, undefined);

    await http('POST', `${server.root}/$fault`, { body: { reset: true } });
    await assert.rejects(fetch(`${server.base}/metadata`));
    assert.equal((await http('GET', `${server.base}/metadata`)).status, 200);

    const bad = await http('POST', `${server.root}/$fault`, { body: { status: 'x' } });
    assert.equal(bad.status, 400);
  });

  test('$stats counts requests per method and type', async () => {
    await http('POST', `${server.root}/$reset`);
    await http('PUT', `${server.base}/Observation/s-1`, { body: observation('s-1') });
    await http('GET', `${server.base}/Observation/s-1`);
    await http('GET', `${server.base}/Observation/s-1`);
    await http('POST', `${server.base}/Patient`, { body: { resourceType: 'Patient' } });
    const s = await stats(server);
    assert.equal(s.requests, 4);
    assert.deepEqual(s.byMethod, { PUT: 1, GET: 2, POST: 1 });
    assert.deepEqual(s.byType.Observation, { PUT: 1, GET: 2 });
    assert.deepEqual(s.resources, { Observation: 1, Patient: 1 });
  });
}

// ---------------------------------------------------------------------------
// Authentication

{
  let server;
  before(async () => {
    server = await startServer(['--token', 'sesame']);
  });

  test('bearer token is required on FHIR requests, not on metadata', async () => {
    const none = await http('GET', `${server.base}/Observation`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate'), /^Bearer /);
    assert.equal(none.json.resourceType, 'OperationOutcome');
    const wrong = await http('GET', `${server.base}/Observation`, { headers: { Authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate'), /error="invalid_token"/);
    const right = await http('GET', `${server.base}/Observation`, { headers: { Authorization: 'Bearer sesame' } });
    assert.equal(right.status, 200);
    assert.equal((await http('GET', `${server.base}/metadata`)).status, 200);
    assert.equal((await stats(server)).unauthorized, 2);
  });
}

function signJwt(alg, privateKey, kid, claims) {
  const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const data = Buffer.from(`${header}.${payload}`);
  const signature =
    alg === 'ES384'
      ? cryptoSign('sha384', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : cryptoSign('sha384', data, privateKey);
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

{
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const intruder = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const dir = mkdtempSync(join(tmpdir(), 'ward-smart-'));
  const jwksPath = join(dir, 'jwks.json');
  let server;
  let tokenUrl;

  before(async () => {
    // Map form: client_id -> JWKS.
    writeFileSync(
      jwksPath,
      JSON.stringify({
        'ward-rs': { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rs-1', alg: 'RS384' }] },
        'ward-es': { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'es-1', alg: 'ES384' }] },
      })
    );
    server = await startServer(['--smart-jwks', jwksPath, '--token-lifetime', '2']);
    tokenUrl = `${server.root}/auth/token`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function assertion(clientId, alg, key, kid, overrides = {}) {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(alg, key, kid, {
      iss: clientId,
      sub: clientId,
      aud: tokenUrl,
      exp: now + 240,
      jti: randomUUID(),
      ...overrides,
    });
  }

  function requestToken(clientAssertion, scope = 'system/Observation.write system/*.read') {
    return http('POST', tokenUrl, {
      form: {
        grant_type: 'client_credentials',
        scope,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
      },
    });
  }

  test('SMART discovery', async () => {
    for (const url of [`${server.root}/.well-known/smart-configuration`, `${server.base}/.well-known/smart-configuration`]) {
      const res = await http('GET', url);
      assert.equal(res.status, 200);
      assert.equal(res.json.token_endpoint, tokenUrl);
      assert.deepEqual(res.json.token_endpoint_auth_signing_alg_values_supported, ['RS384', 'ES384']);
      assert.ok(res.json.grant_types_supported.includes('client_credentials'));
    }
    const metadata = await http('GET', `${server.base}/metadata`);
    assert.equal(metadata.status, 200);
  });

  for (const [alg, clientId, kid, keyName] of [
    ['RS384', 'ward-rs', 'rs-1', 'rsa'],
    ['ES384', 'ward-es', 'es-1', 'ec'],
  ]) {
    test(`SMART token flow with ${alg}`, async () => {
      const key = keyName === 'rsa' ? rsa.privateKey : ec.privateKey;
      assert.equal((await http('GET', `${server.base}/Observation`)).status, 401);
      const clientAssertion = assertion(clientId, alg, key, kid);
      const res = await requestToken(clientAssertion);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.token_type, 'bearer');
      assert.equal(res.json.expires_in, 2);
      assert.equal(res.json.scope, 'system/Observation.write system/*.read');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const auth = { Authorization: `Bearer ${res.json.access_token}` };
      assert.equal((await http('GET', `${server.base}/Observation`, { headers: auth })).status, 200);

      const replay = await requestToken(clientAssertion);
      assert.equal(replay.status, 401);
      assert.equal(replay.json.error, 'invalid_client');
      assert.match(replay.json.error_description, /jti/);
    });
  }

  test('SMART bad assertions are refused', async () => {
    const cases = [
      ['wrong aud', assertion('ward-es', 'ES384', ec.privateKey, 'es-1', { aud: `${server.root}/other` })],
      ['exp too far', assertion('ward-es', 'ES384', ec.privateKey, 'es-1', { exp: Math.floor(Date.now() / 1000) + 600 })],
      ['expired', assertion('ward-es', 'ES384', ec.privateKey, 'es-1', { exp: Math.floor(Date.now() / 1000) - 60 })],
      ['iss != sub', assertion('ward-es', 'ES384', ec.privateKey, 'es-1', { sub: 'someone' })],
      ['unknown client', assertion('nobody', 'ES384', ec.privateKey, 'es-1')],
      ['bad signature', assertion('ward-es', 'ES384', intruder.privateKey, 'es-1')],
      ['no jti', assertion('ward-es', 'ES384', ec.privateKey, 'es-1', { jti: undefined })],
      ['RS256', (() => {
        const header = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url');
        return `${header}.e30.AAAA`;
      })()],
    ];
    for (const [name, clientAssertion] of cases) {
      const res = await requestToken(clientAssertion);
      assert.equal(res.status, 401, `${name}: ${res.text}`);
      assert.equal(res.json.error, 'invalid_client', name);
    }
    const grant = await http('POST', tokenUrl, { form: { grant_type: 'password' } });
    assert.equal(grant.status, 400);
    assert.equal(grant.json.error, 'unsupported_grant_type');
    const scope = await requestToken(assertion('ward-es', 'ES384', ec.privateKey, 'es-1'), 'patient/*.read');
    assert.equal(scope.status, 400);
    assert.equal(scope.json.error, 'invalid_scope');
  });

  test('SMART expired and revoked tokens get 401', async () => {
    const first = await requestToken(assertion('ward-es', 'ES384', ec.privateKey, 'es-1'));
    assert.equal(first.status, 200);
    const auth = { Authorization: `Bearer ${first.json.access_token}` };
    assert.equal((await http('GET', `${server.base}/Patient`, { headers: auth })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await http('GET', `${server.base}/Patient`, { headers: auth });
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate'), /error="invalid_token"/);
    assert.match(expired.headers.get('www-authenticate'), /expired/);

    const second = await requestToken(assertion('ward-rs', 'RS384', rsa.privateKey, 'rs-1'));
    const auth2 = { Authorization: `Bearer ${second.json.access_token}` };
    assert.equal((await http('GET', `${server.base}/Patient`, { headers: auth2 })).status, 200);
    const revoke = await http('POST', `${server.root}/$revoke-tokens`);
    assert.equal(revoke.status, 200);
    const revoked = await http('GET', `${server.base}/Patient`, { headers: auth2 });
    assert.equal(revoked.status, 401);
    assert.match(revoked.headers.get('www-authenticate'), /revoked/);
  });
}

// ---------------------------------------------------------------------------
// Referential integrity (--strict-references)

{
  let strict;
  before(async () => {
    strict = await startServer(['--strict-references']);
  });

  const patient = (id) => ({ resourceType: 'Patient', id, identifier: [{ value: `mrn-${id}` }] });
  const device = (id) => ({ resourceType: 'Device', id, identifier: [{ value: `dev-${id}` }] });

  test('strict: a PUT or POST naming an absent resource is refused with 422', async () => {
    await http('POST', `${strict.root}/$reset`);
    const obs = observation('o1', { subject: { reference: 'Patient/p1' }, device: { reference: 'Device/d1' } });
    const put = await http('PUT', `${strict.base}/Observation/o1`, { body: obs });
    assert.equal(put.status, 422);
    assert.equal(put.json.resourceType, 'OperationOutcome');
    const texts = put.json.issue.map((i) => i.diagnostics);
    assert.ok(texts.some((t) => t.includes('Patient/p1') && t.includes('Observation.subject')), texts.join('; '));
    assert.ok(texts.some((t) => t.includes('Device/d1') && t.includes('Observation.device')), texts.join('; '));
    assert.equal((await http('GET', `${strict.base}/Observation/o1`)).status, 404);
    const post = await http('POST', `${strict.base}/Observation`, { body: observation(undefined, { subject: { reference: 'Patient/p1' } }) });
    assert.equal(post.status, 422);
    // Absolute on this server's base, with a version, deep inside: all checked.
    const deep = observation('o2', {
      subject: { reference: `${strict.base}/Patient/p1/_history/1` },
    });
    assert.equal((await http('PUT', `${strict.base}/Observation/o2`, { body: deep })).status, 422);
    const ra = {
      resourceType: 'RiskAssessment',
      id: 'r1',
      status: 'final',
      subject: { reference: 'Patient/p1' },
      basis: [{ reference: 'Observation/nope' }],
    };
    assert.equal((await http('PUT', `${strict.base}/Patient/p1`, { body: patient('p1') })).status, 201);
    const refused = await http('PUT', `${strict.base}/RiskAssessment/r1`, { body: ra });
    assert.equal(refused.status, 422);
    assert.match(refused.json.issue[0].diagnostics, /Observation\/nope.*RiskAssessment\.basis\[0\]/);
  });

  test('strict: references that resolve, to itself, contained or elsewhere pass', async () => {
    await http('POST', `${strict.root}/$reset`);
    assert.equal((await http('PUT', `${strict.base}/Patient/p1`, { body: patient('p1') })).status, 201);
    assert.equal((await http('PUT', `${strict.base}/Device/d1`, { body: device('d1') })).status, 201);
    const obs = observation('o1', {
      subject: { reference: 'Patient/p1' },
      device: { reference: 'Device/d1' },
      performer: [{ reference: '#pr' }, { reference: 'https://elsewhere.example/fhir/Practitioner/x' }],
      contained: [{ resourceType: 'Practitioner', id: 'pr', identifier: [{ value: 'x' }] }],
      hasMember: [{ reference: 'Observation/o1' }],
      focus: [{ identifier: { value: 'only an identifier' } }],
    });
    const put = await http('PUT', `${strict.base}/Observation/o1`, { body: obs });
    assert.equal(put.status, 201, put.text);
    // A deleted target does not resolve.
    assert.equal((await http('DELETE', `${strict.base}/Device/d1`)).status, 200);
    const again = await http('PUT', `${strict.base}/Observation/o1`, { body: { ...obs, status: 'amended' } });
    assert.equal(again.status, 422);
  });

  test('strict: a batch checks each entry in order; a target earlier in it counts', async () => {
    await http('POST', `${strict.root}/$reset`);
    const entry = (r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } });
    const bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        entry(patient('p1')),
        entry(observation('o1', { subject: { reference: 'Patient/p1' } })),
        entry(observation('o2', { subject: { reference: 'Patient/p2' } })),
        entry(observation('o3', { subject: { reference: 'Patient/p3' } })),
        entry(patient('p3')),
      ],
    };
    const res = await http('POST', `${strict.base}`, { body: bundle });
    assert.equal(res.status, 200);
    const statuses = res.json.entry.map((e) => e.response.status.slice(0, 3));
    assert.deepEqual(statuses, ['201', '201', '422', '422', '201']);
    assert.match(res.json.entry[2].response.outcome.issue[0].diagnostics, /Patient\/p2/);
    assert.equal((await http('GET', `${strict.base}/Observation/o2`)).status, 404);
  });

  test('strict: a transaction resolves inside itself, or nothing stays', async () => {
    await http('POST', `${strict.root}/$reset`);
    const put = (r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } });
    // Target after the reference, and one by urn:uuid: fine in a transaction.
    const good = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        put(observation('o1', { subject: { reference: 'Patient/p1' } })),
        put(patient('p1')),
        {
          fullUrl: 'urn:uuid:1e1d9a5c-4f55-4d4e-9d7b-2b6c4a0f0a01',
          resource: { resourceType: 'Device', identifier: [{ value: 'new-device' }] },
          request: { method: 'POST', url: 'Device' },
        },
        put(observation('o2', { subject: { reference: 'Patient/p1' }, device: { reference: 'urn:uuid:1e1d9a5c-4f55-4d4e-9d7b-2b6c4a0f0a01' } })),
      ],
    };
    const ok = await http('POST', `${strict.base}`, { body: good });
    assert.equal(ok.status, 200, ok.text);
    const bad = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [put(patient('p9')), put(observation('o9', { subject: { reference: 'Patient/p8' } }))],
    };
    const refused = await http('POST', `${strict.base}`, { body: bad });
    assert.equal(refused.status, 422);
    assert.match(refused.json.issue[0].diagnostics, /Patient\/p8/);
    assert.equal((await http('GET', `${strict.base}/Patient/p9`)).status, 404);
    assert.equal((await http('GET', `${strict.base}/Observation/o9`)).status, 404);
  });
}

{
  test('process exits on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT']) {
      const server = await startServer();
      const exited = new Promise((resolve) => server.child.once('exit', (code, sig) => resolve({ code, sig })));
      server.child.kill(signal);
      const result = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 5000))]);
      assert.deepEqual(result, { code: 0, sig: null });
      servers.delete(server);
    }
  });

  test('process refuses a port in use', async () => {
    const server = await startServer();
    const child = spawn(process.execPath, [join(here, 'server.mjs'), '--port', String(server.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0);
    await server.stop();
  });
}

// --data-file: what the server answered it stored is there after a stop
// (SIGTERM) and after a kill (SIGKILL), with its versions; a transaction
// that failed left nothing; $reset empties the file.
{
  test('--data-file keeps versions across a stop and a kill', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-fhir-data-'));
    const dataFile = join(dir, 'repository.ndjson');
    try {
      let server = await startServer(['--data-file', dataFile]);
      assert.equal((await http('PUT', `${server.base}/Observation/d1`, { body: observation('d1') })).status, 201);
      const changed = observation('d1', { valueQuantity: { value: 80, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } });
      assert.equal((await http('PUT', `${server.base}/Observation/d1`, { body: changed })).status, 200);
      // The same content again: no new version, nothing more in the file.
      assert.equal((await http('PUT', `${server.base}/Observation/d1`, { body: changed })).status, 200);
      const failed = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: observation('d2'), request: { method: 'PUT', url: 'Observation/d2' } },
          { resource: observation('d3', { status: 'bogus' }), request: { method: 'PUT', url: 'Observation/d3' } },
        ],
      };
      assert.equal((await http('POST', server.base, { body: failed })).status, 400);
      assert.equal((await http('DELETE', `${server.base}/Observation/d1`)).status, 200);
      assert.equal((await http('PUT', `${server.base}/Patient/d4`, { body: { resourceType: 'Patient', id: 'd4' } })).status, 201);
      const port = server.port;
      await server.stop();

      server = await startServer(['--data-file', dataFile]);
      assert.notEqual(server.port, 0);
      assert.equal((await http('GET', `${server.base}/Observation/d1`)).status, 410);
      const history = (await http('GET', `${server.base}/Observation/d1/_history`)).json;
      assert.equal(history.total, 3);
      assert.equal(history.entry[1].resource.valueQuantity.value, 80);
      assert.equal((await http('GET', `${server.base}/Observation/d2`)).status, 404);
      assert.deepEqual((await stats(server)).resources, { Patient: 1 });
      // The next version goes on from the last one read back.
      const again = await http('PUT', `${server.base}/Patient/d4`, { body: { resourceType: 'Patient', id: 'd4', active: true } });
      assert.equal(again.json.meta.versionId, '2');
      assert.ok(port > 0);

      // Killed: what it answered for is still there.
      const killed = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGKILL');
      await killed;
      servers.delete(server);
      server = await startServer(['--data-file', dataFile]);
      assert.equal((await http('GET', `${server.base}/Patient/d4`)).json.meta.versionId, '2');

      assert.equal((await http('POST', `${server.root}/$reset`)).status, 200);
      assert.equal(readFileSync(dataFile, 'utf8'), '');
      await server.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--data-file refuses a file it cannot read back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-fhir-data-'));
    const dataFile = join(dir, 'repository.ndjson');
    try {
      writeFileSync(dataFile, 'not json\n');
      const child = spawn(process.execPath, [join(here, 'server.mjs'), '--port', '0', '--data-file', dataFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      assert.equal(code, 2);
      assert.match(stderr, /cannot use --data-file/);
      assert.equal(readFileSync(dataFile, 'utf8'), 'not json\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
