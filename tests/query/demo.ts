// Typed facade over the demo generator and OTLP helpers (plain ESM JavaScript in scripts/demo/).
// @ts-expect-error -- untyped ESM JavaScript
import * as generatorJs from '../../scripts/demo/generator.mjs';
// @ts-expect-error -- untyped ESM JavaScript
import * as otlpJs from '../../scripts/demo/otlp.mjs';

export interface GenEvent {
  timeUnixNano: bigint;
  tenant: string;
  service: { name: string; environment: string };
  severityText: string;
  severityNumber: number;
  eventName: string;
  body: string;
  attributes: Record<string, string>;
}

export interface Rng {
  next(): number;
  int(n: number): number;
}

export const generateEvents: (o: {
  count: number;
  startMillis: number;
  endMillis: number;
  seed?: number;
  tenant?: string;
}) => Iterable<GenEvent> = generatorJs.generateEvents;
export const makeEvent: (r: Rng, o: { timeMillis: number; tenant?: string; forceCategory?: string }) => GenEvent =
  generatorJs.makeEvent;
export const rng: (seed: number) => Rng = generatorJs.rng;
export const pushOtlp: (o: {
  endpoint: string;
  tenant: string;
  events: GenEvent[];
  deadlineMillis?: number;
  headers?: Record<string, string>;
}) => Promise<void> = otlpJs.pushOtlp;
