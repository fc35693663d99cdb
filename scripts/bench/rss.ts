import fs from 'node:fs';

/** The app backend's peak resident memory so far (VmHWM), Linux only. */
export function backendPeakRss(): string {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('gpx_auditlog_linux')) {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
        return `${Math.round(kb / 1024)} MB`;
      }
    } catch {
      // gone meanwhile
    }
  }
  return 'unknown';
}
