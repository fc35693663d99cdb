// Every server of the native stack listens on 127.0.0.1 only: Loki must be reachable by the Grafana
// server and the Collector, never from the network (the plugin backend is the one door to the data).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { stackConfig } from '../../scripts/stack/lib.mjs';

const cfg = stackConfig();

/** Listening TCP sockets of a process: [{ address, port }]. */
function listeners(pid) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) {
        inodes.add(m[1]);
      }
    } catch {
      // fd closed meanwhile
    }
  }
  const out = [];
  for (const file of ['tcp', 'tcp6']) {
    const lines = fs.readFileSync(`/proc/${pid}/net/${file}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      const [addrHex, portHex] = f[1].split(':');
      if (f[3] === '0A' && inodes.has(f[9])) {
        out.push({ address: addrHex, port: parseInt(portHex, 16), v6: file === 'tcp6' });
      }
    }
  }
  return out;
}

const LOOPBACK = new Set(['0100007F', '0000000000000000FFFF00000100007F', '00000000000000000000000001000000']);

for (const name of ['loki', 'collector', 'grafana']) {
  test(`${name} listens on the loopback address only`, () => {
    const pid = Number(fs.readFileSync(path.join(cfg.runDir, `${name}.pid`), 'utf8'));
    const socks = listeners(pid);
    assert.ok(socks.length > 0, `${name} has listening sockets`);
    for (const s of socks) {
      assert.ok(LOOPBACK.has(s.address), `${name} listens on ${s.address}:${s.port}, not loopback`);
    }
  });
}
