// One error sink for the frontend (STYLE: no console.* in feature code). Falls back to the console;
// a Faro integration can be plugged in here later.
type Context = Record<string, string | number | boolean | undefined>;

export const logger = {
  error(err: unknown, context?: Context) {
    console.error('[attest]', err, context ?? '');
  },
  warn(msg: string, context?: Context) {
    console.warn('[attest]', msg, context ?? '');
  },
  info(msg: string, context?: Context) {
    console.info('[attest]', msg, context ?? '');
  },
};
