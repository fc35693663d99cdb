// A page of the Event viewer as the backend's GET events answers it (pkg/loki/paging.go), and the
// cursors that move between pages: newest first, exact across events that share one timestamp.

import { type AuditEvent } from './auditEvent';

export interface Cursor {
  /** `older`: the page after (older than) the cursor; `newer`: the page before it. */
  dir: 'older' | 'newer';
  tsNs: string;
  /** Set when the cursor sits inside a group of equal timestamps. */
  key?: string;
}

export interface TimeRangeNs {
  /** Inclusive. */
  startNs: string;
  /** Exclusive. */
  endNs: string;
}

export interface Page {
  /** Newest first. */
  events: AuditEvent[];
  /** Cursor for the next (older) page, when there is one. */
  older?: Cursor;
  /** Cursor for the previous (newer) page, when there is one. */
  newer?: Cursor;
  /** The LogQL the backend ran. */
  query: string;
}

/** `o1700000000000000000` or `o1700000000000000000~<key>`, as the backend writes and reads them. */
export function encodeCursor(c: Cursor): string {
  return `${c.dir === 'older' ? 'o' : 'n'}${c.tsNs}${c.key !== undefined ? '~' + c.key : ''}`;
}

export function decodeCursor(s: unknown): Cursor | undefined {
  if (typeof s !== 'string') {
    return undefined;
  }
  const m = /^([on])(\d{1,20})(?:~(.+))?$/s.exec(s);
  if (!m) {
    return undefined;
  }
  return { dir: m[1] === 'o' ? 'older' : 'newer', tsNs: m[2], key: m[3] };
}
