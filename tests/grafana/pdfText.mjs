// PDFs read back with pdf.js (pdfjs-dist from npm): no system tool needed.
import fs from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of a PDF, a line per row of text as laid out (items on one baseline, left to right). */
export async function pdfText(file) {
  const doc = await getDocument({ data: new Uint8Array(fs.readFileSync(file)), disableFontFace: true, verbosity: 0 })
    .promise;
  const out = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const page = await doc.getPage(p);
    const items = (await page.getTextContent()).items.filter((i) => 'str' in i && i.str.trim() !== '');
    items.sort((a, b) => b.transform[5] - a.transform[5] || a.transform[4] - b.transform[4]);
    let line = [];
    let y;
    const flush = () => {
      if (line.length) {
        out.push(
          line
            .sort((a, b) => a.transform[4] - b.transform[4])
            .map((i) => i.str)
            .join('  ')
        );
      }
      line = [];
    };
    for (const it of items) {
      if (y === undefined || Math.abs(it.transform[5] - y) > 2) {
        flush();
        y = it.transform[5];
      }
      line.push(it);
    }
    flush();
  }
  await doc.destroy();
  return `${out.join('\n')}\n`;
}
