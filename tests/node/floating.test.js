// A second real SOAP client, the npm `soap` package, loads the WSDL unlockd serves
// for XmlNetworkFloatingService and drives OpenSession -> PollSession ->
// CheckoutSession -> CheckinSession -> CloseSession on demo license 1004
// (wire.md §3.10, rules FLT-4..6). Time moves through the test clock (errata E-23).
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const soap = require('soap');

const ROOT = path.resolve(__dirname, '..', '..');
const BINARY = process.env.UNLOCKD_BIN || path.join(ROOT, 'target', 'debug', 'unlockd');
const KEY = '6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99';

function startServer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unlockd-node-'));
  const child = spawn(BINARY, ['serve', '--bind', '127.0.0.1:0', '--demo', '--test-clock'], {
    env: { ...process.env, UNLOCKD_DATABASE_URL: `sqlite://${path.join(dir, 'unlockd.db')}`, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const prefix = 'unlockd listening on ';
      if (line.startsWith(prefix)) {
        resolve({ base: line.slice(prefix.length).trim(), child, dir });
      }
    });
    child.on('exit', (code) => reject(new Error(`unlockd exited early (${code})`)));
  });
}

function field(doc, name) {
  const m = doc.match(new RegExp(`<${name}>([^<]*)</${name}>`));
  return m ? m[1] : undefined;
}

function request(method, fields) {
  return `<${method}><EncryptionKeyID>${KEY}</EncryptionKeyID><PrivateData>${fields}</PrivateData></${method}>`;
}

async function call(client, method, fields) {
  const [result] = await client[`${method}Async`]({ xml: request(method, fields) });
  return result[`${method}Result`];
}

async function advance(base, seconds) {
  const r = await fetch(`${base}/_test/clock`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `advance_seconds=${seconds}`,
  });
  assert.equal(r.status, 200);
}

test('node-soap drives a floating session through its whole life', async () => {
  const server = await startServer();
  try {
    const client = await soap.createClientAsync(
      `${server.base}/solo/webservices/XmlNetworkFloatingService.asmx?WSDL`,
    );
    const opened = await call(client, 'OpenSession', '<LicenseID>1004</LicenseID><Password>demo1004</Password><SessionCode>node1</SessionCode>');
    assert.equal(field(opened, 'ResultCode'), '0', opened);
    assert.equal(field(opened, 'SessionCode'), 'node1');
    assert.equal(field(opened, 'TotalSeats'), '2');
    assert.equal(field(opened, 'SeatsAvailable'), '1');
    assert.match(opened, /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">/);
    const id = field(opened, 'SessionID');
    assert.match(id, /^[0-9A-F]{32}$/);

    await advance(server.base, 100);
    const polled = await call(client, 'PollSession', `<SessionID>${id}</SessionID><LicenseID>1004</LicenseID>`);
    assert.equal(field(polled, 'ResultCode'), '0', polled);
    const until = Date.parse(field(polled, 'AllocatedUntilDate'));
    const stamp = Date.parse(field(polled, 'ServerTimestamp'));
    assert.equal(until - stamp, 120_000, 'lease = 60 + 6 x 10 s');

    const out = await call(client, 'CheckoutSession', `<SessionID>${id}</SessionID><CheckoutHours>2</CheckoutHours>`);
    assert.equal(field(out, 'ResultCode'), '0', out);
    assert.equal(field(out, 'CheckedOut'), 'true');
    await advance(server.base, 3600);
    const back = await call(client, 'CheckinSession', `<SessionID>${id}</SessionID>`);
    assert.equal(field(back, 'ResultCode'), '0', back);
    assert.equal(field(back, 'CheckedOut'), 'false');

    const closed = await call(client, 'CloseSession', `<SessionID>${id}</SessionID>`);
    assert.equal(field(closed, 'ResultCode'), '0', closed);
    const after = await call(client, 'PollSession', `<SessionID>${id}</SessionID>`);
    assert.equal(field(after, 'ResultCode'), '5027', after);
  } finally {
    server.child.kill('SIGTERM');
    fs.rmSync(server.dir, { recursive: true, force: true });
  }
});
