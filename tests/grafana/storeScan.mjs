// Reads every file of a store as the text it holds, compressed or not, to search it for a person:
// gzip (archives), ZIP (report packs, XLSX exports) entry by entry, PDFs through pdf.js, and each file's
// raw bytes (SQLite pages, write-ahead logs, JSON, CSV).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import JSZip from 'jszip';

import { pdfText } from './pdfText.mjs';

/** Every regular file under dir (none when it does not exist). */
export function filesUnder(dir) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const f = path.join(dir, d.name);
    return d.isDirectory() ? filesUnder(f) : d.isFile() ? [f] : [];
  });
}

async function textsOf(bytes) {
  const out = [bytes.toString('latin1')];
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      out.push(...(await textsOf(gunzipSync(bytes))));
    } catch {
      // A truncated or foreign gzip: its raw bytes are searched.
    }
  } else if (bytes.subarray(0, 4).toString('latin1') === 'PK\x03\x04') {
    let zip;
    try {
      zip = await JSZip.loadAsync(bytes);
    } catch {
      // Not a readable ZIP: its raw bytes are searched.
    }
    for (const entry of Object.values(zip?.files ?? {}).filter((e) => !e.dir)) {
      out.push(entry.name, ...(await textsOf(await entry.async('nodebuffer'))));
    }
  } else if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attest-scan-')), 'f.pdf');
    fs.writeFileSync(tmp, bytes);
    try {
      out.push(await pdfText(tmp));
    } finally {
      fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
    }
  }
  return out;
}

/** The files under each dir whose name or content (decompressed) holds any of marks, case-insensitive. */
export async function filesHolding(dirs, marks) {
  const wanted = marks.map((m) => m.toLowerCase());
  const hits = [];
  for (const f of dirs.flatMap(filesUnder)) {
    const texts = [f, ...(await textsOf(fs.readFileSync(f)))].map((t) => t.toLowerCase());
    if (texts.some((t) => wanted.some((m) => t.includes(m)))) {
      hits.push(f);
    }
  }
  return hits;
}
